using System.Net;
using System.Net.Sockets;

namespace OrderSystem.SystemProcesses.Machine;

/// <summary>Ports for the local RabbitMQ, PostgreSQL and services of one run, so that it never meets a running system.</summary>
public static class FreePorts
{
    public static int Any() => FirstFree(Random.Shared.Next(20000, 30000), _ => true);

    /// <summary>
    /// RabbitMQ also listens on its port + 20000 (distribution) and its CLI on + 30000…30010 (eng/infra.sh derives
    /// them), so its port is picked where those are free too.
    /// </summary>
    public static int ForRabbitMq() => FirstFree(Random.Shared.Next(11000, 30000),
        port => IsFree(port + 20000) && Enumerable.Range(port + 30000, 11).All(IsFree));

    private static int FirstFree(int start, Func<int, bool> alsoFree)
    {
        for (var port = start; port < start + 2000; port++)
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
