using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// The pessimistic load of one instance by its id (<c>SELECT … FOR UPDATE</c>) as a statement for a batch, and the
/// instance read from its row and attached to the DbContext as EF Core would track a loaded one: the saga repository sends
/// it in the same round trip as the message's inbox insert (<c>ConsumerOutbox/InboxInsert</c>). Columns, their names
/// and conversions come from the saga's EF Core mapping (<see cref="SagaRowLayout"/>: each value is read as its
/// provider type and converted back through the property's type mapping), <c>xmin</c> included for the row version.
/// Only for layouts that are <see cref="SagaRowLayout.Readable"/>; anything else loads through EF Core's query.
/// </summary>
internal static class SagaRowReader
{
    /// <summary><c>SELECT</c> every mapped column and <c>xmin</c> of the instance with this id, <c>FOR UPDATE</c>.</summary>
    public static NpgsqlBatchCommand SelectForUpdate(SagaRowLayout layout, Guid correlationId) =>
        new(layout.SelectForUpdate) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = correlationId } } };

    /// <summary>
    /// The instance on the reader's current row, tracked as unchanged (its values are the original ones, as after an
    /// EF Core query). The caller has forgotten any instance with the same id that the context still tracked.
    /// </summary>
    public static TSaga Attach<TSaga>(DbContext db, SagaRowLayout layout, NpgsqlDataReader reader)
        where TSaga : class, ISaga
    {
        var create = layout.Create ?? throw new InvalidOperationException(
            $"{typeof(TSaga).Name}'s mapping is not one the saga repository reads itself; it should have loaded it through EF Core.");
        var instance = (TSaga)create();
        var entry = db.Entry(instance);
        for (var i = 0; i < layout.Columns.Count; i++)
        {
            var column = layout.Columns[i];
            object? value = null;
            if (!reader.IsDBNull(i))
            {
                value = column.Read(reader, i);
                if (column.Mapping.Converter is { } converter) value = converter.ConvertFromProvider(value);
            }

            entry.Property(column.Property).CurrentValue = value;
        }

        entry.State = EntityState.Unchanged;
        return instance;
    }
}
