namespace OrderSystem.Messaging.Delivery;

/// <summary>When the next scheduled message is due (null: none), and whether the database was read for it just now.</summary>
internal readonly record struct BacklogRefresh(DateTime? NextDue, bool Queried);
