using System.Net;
using System.Net.Sockets;

namespace OrderSystem.Testing.Faults;

/// <summary>
/// A loopback TCP forwarder placed between code under test and a real server, so a test can make that server
/// unreachable and reachable again without touching the server itself (which other test classes share):
/// <see cref="Disconnect"/> drops every open connection and refuses new ones; <see cref="Reconnect"/> accepts again.
/// To the client this looks like the server going away: its sockets are reset and connects are refused.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<(TcpClient Client, TcpClient Upstream)> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private int _generation; // bumped by Disconnect: a connection accepted under an older generation is reset
    private Task _acceptLoop = Task.CompletedTask;

    private TcpProxy(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    /// <summary>The local port clients connect to instead of the server's.</summary>
    public int Port { get; }

    public bool IsConnected => _listener is not null;

    public static TcpProxy Start(string targetHost, int targetPort)
    {
        var address = Dns.GetHostAddresses(targetHost).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var proxy = new TcpProxy(new IPEndPoint(address, targetPort), port);
        proxy.Reconnect();
        return proxy;
    }

    /// <summary>Starts accepting connections again.</summary>
    public void Reconnect()
    {
        if (_listener is not null) return;
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _acceptLoop = AcceptAsync(listener);
    }

    /// <summary>Stops listening and resets every open connection.</summary>
    public void Disconnect()
    {
        Interlocked.Increment(ref _generation);
        var listener = _listener;
        _listener = null;
        listener?.Stop();
        lock (_connections)
        {
            foreach (var (client, upstream) in _connections)
            {
                Reset(client);
                Reset(upstream);
            }

            _connections.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            _ = ForwardAsync(client, Volatile.Read(ref _generation));
        }
    }

    private async Task ForwardAsync(TcpClient client, int generation)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_target, _stopping.Token);
        }
        catch (Exception)
        {
            Reset(client);
            upstream.Dispose();
            return;
        }

        lock (_connections)
        {
            // Accepted just before a Disconnect, connected upstream just after it: it must not survive the outage.
            if (generation != Volatile.Read(ref _generation))
            {
                Reset(client);
                Reset(upstream);
                return;
            }

            _connections.Add((client, upstream));
        }

        try
        {
            await Task.WhenAny(
                Pump(client.GetStream(), upstream.GetStream()),
                Pump(upstream.GetStream(), client.GetStream()));
        }
        finally
        {
            lock (_connections) _connections.Remove((client, upstream));
            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task Pump(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0); // RST, not FIN: the peer sees the link die
            client.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Disconnect();
        await _stopping.CancelAsync();
        await _acceptLoop;
        _stopping.Dispose();
    }
}
