namespace OrderSystem.SystemProcesses.Services;

/// <summary>
/// The environment variables every service process gets: the ones the AppHost injects (<c>ConnectionStrings__messaging</c>,
/// <c>ConnectionStrings__&lt;database&gt;</c>) plus settings such as Inventory's operator key.
/// </summary>
public sealed class ServiceEnvironment
{
    /// <summary>The database of each service, in the order the services are listed.</summary>
    public static readonly IReadOnlyList<string> DatabaseNames = ["orderdb", "inventorydb", "paymentdb", "notificationdb"];

    /// <summary>The four services, Ordering first (it migrates its database while the others start).</summary>
    public static readonly IReadOnlyList<string> ServiceNames = ["Ordering", "Inventory", "Payment", "Notification"];

    private readonly Dictionary<string, string> _variables = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        // Every log line stamped with the UTC time of day, as the drivers' progress notes are: the two read side by side.
        ["Logging__Console__FormatterName"] = "simple", // without a name, the formatter options below are not read
        ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
    };

    /// <param name="messaging">The AMQP URI, vhost included.</param>
    /// <param name="database">The connection string of each database in <see cref="DatabaseNames"/>.</param>
    public ServiceEnvironment(string messaging, Func<string, string> database)
    {
        _variables["ConnectionStrings__messaging"] = messaging;
        foreach (var name in DatabaseNames) _variables[$"ConnectionStrings__{name}"] = database(name);
    }

    public IReadOnlyDictionary<string, string> Variables => _variables;

    /// <summary>Adds or replaces a variable, e.g. <c>Inventory__OperatorApiKey</c>.</summary>
    public ServiceEnvironment With(string name, string value)
    {
        _variables[name] = value;
        return this;
    }
}
