namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Names of the activity sources and meters every service exports, besides ASP.NET Core, HttpClient, runtime and Npgsql.
/// </summary>
public static class TelemetrySources
{
    /// <summary>MassTransit's activity source and meter share this name (DiagnosticHeaders.DefaultListenerName).</summary>
    public const string MassTransit = "MassTransit";

    /// <summary>Prefix of this system's own sources and meters (the messaging building block, the order flow).</summary>
    public const string OrderSystemPrefix = "OrderSystem.*";

    public static readonly string[] ActivitySources = [MassTransit, OrderSystemPrefix];

    public static readonly string[] Meters = [MassTransit, OrderSystemPrefix];
}
