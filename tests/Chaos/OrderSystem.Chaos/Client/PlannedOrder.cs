namespace OrderSystem.Chaos.Client;

/// <summary>One order the client means to place: its Idempotency-Key (the same on every retry), customer and lines.</summary>
public sealed record PlannedOrder(int Number, string IdempotencyKey, string CustomerId, IReadOnlyList<PlannedLine> Lines, bool CancelAfterAccepted);

public sealed record PlannedLine(string Sku, int Quantity);
