using RabbitMQ.Client;

namespace OrderSystem.Operations.Connection;

/// <summary>An AMQP endpoint with credentials and the vhost to work in.</summary>
public sealed record BrokerAddress(Uri Uri, Credentials Credentials, string VirtualHost)
{
    public static BrokerAddress Parse(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw CommandFailedException.Usage("no broker address: pass --broker amqp://user:password@host:port/vhost or set ConnectionStrings__messaging");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw CommandFailedException.Usage($"{source} is not an amqp:// or amqps:// URI");
        }

        return new BrokerAddress(uri, Credentials.From(uri, source), VirtualHostOf(uri));
    }

    /// <summary>The vhost named by an AMQP URI's path (RabbitMQ's URI spec): empty or "/" is the default vhost "/".</summary>
    public static string VirtualHostOf(Uri uri)
    {
        var path = uri.AbsolutePath.TrimStart('/');
        return path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
    }

    /// <summary>For messages: host, port, user and vhost; never the password.</summary>
    public string Display => $"{Uri.Scheme}://{Credentials.UserName}@{Uri.Host}:{Port} vhost '{VirtualHost}'";

    private int Port => Uri.IsDefaultPort ? (Uri.Scheme == "amqps" ? 5671 : 5672) : Uri.Port;

    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            HostName = Uri.Host,
            Port = Port,
            UserName = Credentials.UserName,
            Password = Credentials.Password,
            VirtualHost = VirtualHost,
            ClientProvidedName = OperationsCommandLine.CommandName,
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(15),
        };
        if (Uri.Scheme == "amqps")
        {
            factory.Ssl = new SslOption { Enabled = true, ServerName = Uri.Host };
        }

        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException e)
        {
            var reason = e.InnerException is RabbitMQ.Client.Exceptions.AuthenticationFailureException
                ? "the broker refused the credentials"
                : (e.InnerException ?? e).Message.ReplaceLineEndings(" ");
            throw new CommandFailedException($"cannot connect to {Display}: {reason}", ExitCodes.Error, e);
        }
    }
}
