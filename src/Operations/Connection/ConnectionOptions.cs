using System.CommandLine;

namespace OrderSystem.Operations.Connection;

/// <summary>
/// Where the broker is: options available on every command (<c>--broker</c>, <c>--management</c>, <c>--vhost</c>),
/// falling back to the variables the services use (what <c>eng/infra.sh env</c> prints). There is no anonymous or
/// guest default: a missing address or missing credentials is a usage error.
/// </summary>
public sealed class ConnectionOptions
{
    public const string BrokerVariable = "ConnectionStrings__messaging";
    public const string ManagementVariable = "RABBITMQ_MANAGEMENT_URL";

    public Option<string?> Broker { get; } = new("--broker")
    {
        Description = $"AMQP URI with credentials, amqp://user:password@host:port/vhost. Default: ${BrokerVariable}.",
        HelpName = "uri",
        Recursive = true,
    };

    public Option<string?> Management { get; } = new("--management")
    {
        Description = $"Management HTTP API with credentials, http://user:password@host:port. Default: ${ManagementVariable}.",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> VirtualHost { get; } = new("--vhost")
    {
        Description = "Virtual host. Default: the vhost of the broker URI, else /.",
        HelpName = "vhost",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Broker);
        root.Options.Add(Management);
        root.Options.Add(VirtualHost);
    }

    /// <summary>The AMQP address to use, with the vhost chosen by <c>--vhost</c> or the URI.</summary>
    public BrokerAddress ResolveBroker(ParseResult parseResult, Terminal terminal)
    {
        var option = parseResult.GetValue(Broker);
        var text = option ?? terminal.GetEnvironmentVariable(BrokerVariable);
        var address = BrokerAddress.Parse(text, option is null ? BrokerVariable : "--broker");
        var vhost = parseResult.GetValue(VirtualHost);
        return string.IsNullOrEmpty(vhost) ? address : address with { VirtualHost = vhost };
    }

    public ManagementAddress ResolveManagement(ParseResult parseResult, Terminal terminal)
    {
        var option = parseResult.GetValue(Management);
        var text = option ?? terminal.GetEnvironmentVariable(ManagementVariable);
        return ManagementAddress.Parse(text, option is null ? ManagementVariable : "--management");
    }

    /// <summary>
    /// The vhost for commands that only use the management API: <c>--vhost</c>, else the vhost of the broker URI when
    /// one is configured, else <c>/</c>.
    /// </summary>
    public string ResolveVirtualHost(ParseResult parseResult, Terminal terminal)
    {
        var vhost = parseResult.GetValue(VirtualHost);
        if (!string.IsNullOrEmpty(vhost)) return vhost;
        var broker = parseResult.GetValue(Broker) ?? terminal.GetEnvironmentVariable(BrokerVariable);
        return Uri.TryCreate(broker, UriKind.Absolute, out var uri) ? BrokerAddress.VirtualHostOf(uri) : "/";
    }
}
