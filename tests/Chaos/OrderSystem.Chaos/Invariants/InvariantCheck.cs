using OrderSystem.Chaos.Client;

namespace OrderSystem.Chaos.Invariants;

/// <summary>
/// The invariants a run must end with, checked against <see cref="SystemState"/> and what the client knows. Each
/// violation names the order or product, so that a failure can be followed into the services' logs.
/// </summary>
public static class InvariantCheck
{
    private const int ShownPerInvariant = 10;

    public static Outcomes Outcomes(SystemState state, ClientLedger ledger)
    {
        var states = ledger.Accepted.Values.Select(id => state.Sagas.TryGetValue(id, out var saga) ? saga.State : "Submitted").ToList();
        return new Outcomes(states.Count(s => s == "Confirmed"), states.Count(s => s == "Cancelled"), states.Count(s => s == "Rejected"),
            states.Count(s => s is not ("Confirmed" or "Cancelled" or "Rejected")));
    }

    public static IReadOnlyList<InvariantResult> Check(SystemState state, ClientLedger ledger, IReadOnlyDictionary<string, int> seededStock,
        string keyPrefix, IReadOnlyDictionary<string, long> deadLetters)
    {
        var ours = state.Orders.Where(o => o.IdempotencyKey?.StartsWith(keyPrefix, StringComparison.Ordinal) == true).ToList();
        var byId = ours.ToDictionary(o => o.Id);
        string Outcome(Guid id) => state.Sagas.TryGetValue(id, out var saga) ? saga.State : "Submitted";

        return
        [
            Invariant("the client got an answer for every order: none given up, no unexpected status (400/409/422, a second id for one key)",
                ledger.GivenUp.Select(g => $"given up: {g}").Concat(ledger.Unexpected.Select(u => $"unexpected: {u}"))),

            Invariant("every accepted order is in orderdb once, under its Idempotency-Key, and orderdb holds no order the client was not given",
                ledger.Accepted.Where(a => !byId.TryGetValue(a.Value, out var o) || o.IdempotencyKey != a.Key)
                    .Select(a => $"{a.Key} accepted as {a.Value}, not in orderdb under that key")
                    .Concat(ours.Where(o => !ledger.Accepted.TryGetValue(o.IdempotencyKey!, out var id) || id != o.Id)
                        .Select(o => $"order {o.Id} ({o.IdempotencyKey}) in orderdb, but the client was never given it: a duplicate"))),

            Invariant("every order is terminal (Confirmed, Rejected or Cancelled)",
                ours.Where(o => Outcome(o.Id) is not ("Confirmed" or "Rejected" or "Cancelled")).Select(o => $"order {o.Id} is {Outcome(o.Id)}")),

            Invariant("stock adds up: for every product available + reserved + sold = seeded stock, nothing left reserved, sold = units of confirmed orders",
                seededStock.SelectMany(s => StockViolations(s.Key, s.Value, state, ours, Outcome))),

            Invariant("Inventory agrees with the outcome: a confirmed order's reservation is Sold, any other order's is not Sold or Reserved",
                ours.Select(o => (o.Id, Outcome: Outcome(o.Id), Reservation: state.Reservations.GetValueOrDefault(o.Id)))
                    .Where(x => x.Outcome == "Confirmed" ? x.Reservation != "Sold" : x.Reservation is "Sold" or "Reserved")
                    .Select(x => $"order {x.Id} {x.Outcome}, reservation {x.Reservation ?? "none"}")),

            Invariant("payments: at most one per order; a confirmed order has exactly one captured payment of its total, any other none captured (refunded, voided or declined)",
                PaymentViolations(state, ours, Outcome)),

            Invariant("notifications: at most one per order and kind; every order has exactly two, sent: received, and its outcome",
                NotificationViolations(state, ours, Outcome)),

            Invariant("no faulted message: every _error queue is empty",
                deadLetters.Where(d => d.Key.EndsWith("_error", StringComparison.Ordinal) && d.Value > 0).Select(d => $"{d.Key}: {d.Value} messages")),

            // A redelivery the inbox absorbs must be acknowledged, not dead-lettered (docs/reliability.md, "Chaos suite").
            Invariant("no skipped message: every _skipped queue is empty",
                deadLetters.Where(d => d.Key.EndsWith("_skipped", StringComparison.Ordinal) && d.Value > 0).Select(d => $"{d.Key}: {d.Value} messages")),
        ];
    }

    private static IEnumerable<string> StockViolations(string sku, int seeded, SystemState state, List<SystemState.OrderRow> orders, Func<Guid, string> outcome)
    {
        if (!state.Products.TryGetValue(sku, out var p))
        {
            yield return $"{sku} missing";
            yield break;
        }

        var sold = orders.Where(o => outcome(o.Id) == "Confirmed").SelectMany(o => o.Lines).Where(l => l.Sku == sku).Sum(l => l.Quantity);
        if (p.Available + p.Reserved + p.Sold != seeded)
            yield return $"{sku}: available {p.Available} + reserved {p.Reserved} + sold {p.Sold} = {p.Available + p.Reserved + p.Sold}, seeded {seeded}";
        if (p.Reserved != 0) yield return $"{sku}: {p.Reserved} units still reserved";
        if (p.Sold != sold) yield return $"{sku}: sold {p.Sold}, confirmed orders hold {sold}";
    }

    private static IEnumerable<string> PaymentViolations(SystemState state, List<SystemState.OrderRow> orders, Func<Guid, string> outcome)
    {
        var byOrder = state.Payments.ToLookup(p => p.OrderId);
        foreach (var order in orders)
        {
            var payments = byOrder[order.Id].ToList();
            var captured = payments.Where(p => p.Status == "Captured").ToList();
            if (payments.Count > 1) yield return $"order {order.Id}: {payments.Count} payments";
            if (outcome(order.Id) == "Confirmed")
            {
                if (captured.Count != 1) yield return $"order {order.Id} Confirmed with {captured.Count} captured payments";
                else if (state.Sagas[order.Id].Total is { } total && captured[0].Amount != total)
                    yield return $"order {order.Id} Confirmed for {total}, captured {captured[0].Amount}";
            }
            else if (captured.Count > 0)
            {
                yield return $"order {order.Id} {outcome(order.Id)} but its payment is captured (not refunded)";
            }
        }
    }

    private const string ReceivedKind = "OrderReceived";

    private static IEnumerable<string> NotificationViolations(SystemState state, List<SystemState.OrderRow> orders, Func<Guid, string> outcome)
    {
        var byOrder = state.Notifications.ToLookup(n => n.OrderId);
        foreach (var order in orders)
        {
            var notifications = byOrder[order.Id].ToList();
            // One "received" mail (OrderSubmitted fans out to Notification) and one of the order's outcome, nothing else.
            string[] expected = [ReceivedKind, "Order" + outcome(order.Id)];
            foreach (var kind in notifications.GroupBy(n => n.Kind).Where(g => g.Count() > 1))
                yield return $"order {order.Id}: {kind.Count()} {kind.Key} notifications";
            if (expected.Any(kind => notifications.Count(n => n.Kind == kind && n.Sent) != 1) || notifications.Any(n => !expected.Contains(n.Kind)))
                yield return $"order {order.Id} {outcome(order.Id)}: notifications [{string.Join(", ", notifications.Select(n => n.Kind + (n.Sent ? "" : " (unsent)")))}]";
        }
    }

    private static InvariantResult Invariant(string statement, IEnumerable<string> violations)
    {
        var all = violations.ToList();
        var shown = all.Take(ShownPerInvariant).ToList();
        if (all.Count > ShownPerInvariant) shown.Add($"… and {all.Count - ShownPerInvariant} more");
        return new InvariantResult(statement, all.Count == 0 ? [] : shown);
    }
}
