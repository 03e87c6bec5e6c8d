namespace OrderSystem.Storefront.Api;

/// <summary>Names of the HTTP clients that reach the services behind the page.</summary>
public static class Upstream
{
    public const string Ordering = "ordering";
    public const string Inventory = "inventory";
    public const string OrderingEvents = "ordering-events";
}
