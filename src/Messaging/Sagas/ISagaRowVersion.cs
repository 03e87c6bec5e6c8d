namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// What a saga state stored by <see cref="EntityFrameworkRepositoryRegistrationExtensions.EntityFrameworkRepository{TSaga}"/>
/// must expose besides its <c>CorrelationId</c>: a row version. <see cref="SagaClassMap{TSaga}"/> maps it to PostgreSQL's
/// <c>xmin</c> system column (no physical column), so every UPDATE and DELETE of the instance carries
/// <c>WHERE xmin = @original</c>. In <see cref="MassTransit.ConcurrencyMode.Optimistic"/> mode that check is the only
/// protection against lost updates; in <see cref="MassTransit.ConcurrencyMode.Pessimistic"/> mode the row lock makes it
/// pass every time, and it stays as a second line of defence.
/// </summary>
/// <remarks>
/// The value is the id of the transaction that last wrote the row: read-only for the application, set by the database
/// (EF Core reads it back after every insert and update). It wraps around after about four billion transactions, which is
/// harmless: it is compared for equality, never ordered.
/// </remarks>
public interface ISagaRowVersion
{
    uint RowVersion { get; set; }
}
