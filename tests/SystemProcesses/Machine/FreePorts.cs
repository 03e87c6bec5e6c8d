using System.Net;
using System.Net.Sockets;

namespace OrderSystem.SystemProcesses.Machine;

/// <summary>Ports for the local RabbitMQ, PostgreSQL and services of one run, so that it never meets a running system.</summary>
public static class FreePorts
{
    public static int Any() => FirstFree(Random.Shared.Next(20000, 30000), _ => true);

    /// <summary>
    /// RabbitMQ also listens on its port + 10000 (management, unless given its own), + 20000 (distribution) and its CLI
    /// on + 30000…30010 (eng/infra.sh derives them), so its port is picked where those are free too, and low enough that
    /// the broker's own three listeners stay below Linux's ephemeral range (32768 and up): a port there can be taken by
    /// any outgoing connection between this check and the broker's bind, which once failed a CI run (the management
    /// listener of a chaos run's broker on 35508).
    /// </summary>
    public static int ForRabbitMq() => FirstFree(Random.Shared.Next(2000, 10500),
        port => IsFree(port + 10000) && IsFree(port + 20000) && Enumerable.Range(port + 30000, 11).All(IsFree), limit: 12000);

    private static int FirstFree(int start, Func<int, bool> alsoFree, int limit = int.MaxValue)
    {
        for (var port = start; port < Math.Min(start + 2000, limit); port++)
        {
            if (IsFree(port) && alsoFree(port)) return port;
        }

        throw new InvalidOperationException($"No free port from {start}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
