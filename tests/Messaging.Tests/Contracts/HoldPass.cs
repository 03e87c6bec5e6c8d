namespace OrderSystem.Messaging.Tests.Contracts;

/// <summary>Asks the test consumer to keep its consuming pass open until the test lets it go.</summary>
/// <param name="FailOnRelease">The consumer throws once it is let go: its pass rolls back.</param>
public record HoldPass(Guid RunId, bool FailOnRelease = false);
