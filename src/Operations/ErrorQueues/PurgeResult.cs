namespace OrderSystem.Operations.ErrorQueues;

/// <summary>What a purge deleted from <see cref="Queue"/>, and how many messages are left there.</summary>
public sealed record PurgeResult(string Queue, long Purged, long Left);
