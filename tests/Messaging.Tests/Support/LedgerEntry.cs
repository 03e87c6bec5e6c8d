namespace OrderSystem.Messaging.Tests.Support;

/// <summary>The test's business row: one per effect a consumer had.</summary>
public class LedgerEntry
{
    public long Id { get; set; }
    public Guid EntryId { get; set; }
    public string Source { get; set; } = "";
}
