namespace OrderSystem.Observability.Tests.Support;

/// <summary>
/// Which service a span belongs to, when all four hosts share one process. In production each process has its own
/// <c>service.name</c> resource; here the fixture starts each host inside <see cref="Enter"/>, and everything the host
/// starts (its bus, receive loops, hosted services, connection pools) inherits the value through the execution context,
/// so a span started on any of its threads is attributed to it.
/// </summary>
public static class ServiceAttribution
{
    private static readonly AsyncLocal<string?> Service = new();

    public static string? Current => Service.Value;

    /// <summary>Runs <paramref name="action"/> as <paramref name="service"/>; the value does not leak to the caller.</summary>
    public static async Task<T> As<T>(string service, Func<Task<T>> action)
    {
        Service.Value = service;
        return await action();
    }

    /// <summary>Starts something as <paramref name="service"/>: everything it spawns inherits the attribution.</summary>
    public static T Enter<T>(string service, Func<T> action)
    {
        var previous = Service.Value;
        Service.Value = service;
        try
        {
            return action();
        }
        finally
        {
            Service.Value = previous;
        }
    }
}
