namespace OrderSystem.Inventory.OperatorAccess;

/// <summary>The names of the operator credential: where it is configured, the header it travels in, the scheme and policy.</summary>
public static class OperatorApiKey
{
    /// <summary>Configuration key of the key (environment: <c>Inventory__OperatorApiKey</c>, set by the AppHost).</summary>
    public const string ConfigurationKey = "Inventory:OperatorApiKey";

    /// <summary>The request header that carries the key.</summary>
    public const string HeaderName = "X-Api-Key";

    public const string Scheme = "OperatorApiKey";

    /// <summary>Authorization policy of the operator endpoints.</summary>
    public const string Policy = "Operator";
}
