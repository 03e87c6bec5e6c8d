namespace OrderSystem.Chaos.Client;

/// <summary>
/// The products the run seeds and the orders it places. Deterministic, and mixed so that every outcome occurs: most
/// orders are confirmed; every tenth customer's card is declined (Cancelled, stock released); one product is scarce, so
/// late orders for it are rejected; every fifteenth order is cancelled by the client right after it is accepted (a race
/// with the payment: Cancelled with the stock released and the charge refunded or voided, or Confirmed).
/// </summary>
public sealed class ChaosCatalog(string runId, int orders)
{
    /// <summary>The simulated payment provider's always-declined customer (Payment's default configuration).</summary>
    public const string DeclinedCustomer = "customer-declined";

    public const string ScarceSku = "CHAOS-SCARCE";

    /// <summary>The run may place more orders than planned (while faults last), up to this many times as many.</summary>
    public const int MaxOrdersFactor = 4;
    private static readonly string[] PlentifulSkus = ["CHAOS-A", "CHAOS-B", "CHAOS-C", "CHAOS-D"];

    /// <summary>
    /// The stock seeded for each product: plenty for all but the scarce one (enough for about half the planned orders
    /// that ask for it). A plentiful product gets at most 3 units from every fourth order: 3 × planned covers
    /// <see cref="MaxOrdersFactor"/> × planned orders.
    /// </summary>
    public IReadOnlyDictionary<string, int> Stock { get; } =
        PlentifulSkus.ToDictionary(sku => sku, _ => orders * 3).Append(new(ScarceSku, Math.Max(2, orders / 12))).ToDictionary();

    public PlannedOrder Order(int n)
    {
        var customer = n % 10 == 7 ? DeclinedCustomer : $"chaos-customer-{n % 5}";
        var lines = new List<PlannedLine> { new(PlentifulSkus[n % PlentifulSkus.Length], n % 3 + 1) };
        if (n % 6 == 0) lines.Add(new PlannedLine(ScarceSku, 1));
        return new PlannedOrder(n, $"chaos-{runId}-{n}", customer, lines, CancelAfterAccepted: n % 15 == 4);
    }
}
