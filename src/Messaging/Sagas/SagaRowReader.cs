using System.Reflection;
using System.Runtime.CompilerServices;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// The pessimistic load of one instance by its id (<c>SELECT … FOR UPDATE</c>) as a statement for a batch, and the
/// instance read from its row and attached to the DbContext as EF Core would track a loaded one: the saga repository sends
/// it in the same round trip as the message's inbox insert (<c>ConsumerOutbox/InboxInsert</c>). Columns, their names
/// and conversions come from the saga's EF Core mapping (each value is read as its provider type and converted back
/// through the property's type mapping), <c>xmin</c> included for the row version.
/// <para>
/// Only for mappings this can read faithfully: those <see cref="SagaRowCommands"/> writes, with a parameterless
/// constructor, no service properties and no query filter; anything else loads through EF Core's query as before
/// (<see cref="Supports"/>).
/// </para>
/// </summary>
internal static class SagaRowReader
{
    private static readonly ConditionalWeakTable<IEntityType, Built> Layouts = new();

    private static readonly MethodInfo ReadAs = typeof(SagaRowReader).GetMethod(nameof(Read), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>True when the instance's mapping is one this class reads.</summary>
    public static bool Supports(DbContext db, Type sagaType) =>
        db.Model.FindEntityType(sagaType) is { } entityType && LayoutOf(db, entityType) is not null;

    /// <summary><c>SELECT</c> every mapped column and <c>xmin</c> of the instance with this id, <c>FOR UPDATE</c>.</summary>
    public static NpgsqlBatchCommand SelectForUpdate<TSaga>(DbContext db, Guid correlationId)
        where TSaga : class, ISaga
    {
        var layout = LayoutOf(db, db.Model.FindEntityType(typeof(TSaga))!) ?? throw Unsupported(typeof(TSaga));
        return new NpgsqlBatchCommand(layout.SelectForUpdate) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = correlationId } } };
    }

    /// <summary>
    /// The instance on the reader's current row, tracked as unchanged (its values are the original ones, as after an
    /// EF Core query). The caller has forgotten any instance with the same id that the context still tracked.
    /// </summary>
    public static TSaga Attach<TSaga>(DbContext db, NpgsqlDataReader reader)
        where TSaga : class, ISaga
    {
        var layout = LayoutOf(db, db.Model.FindEntityType(typeof(TSaga))!) ?? throw Unsupported(typeof(TSaga));
        var instance = (TSaga)layout.Create();
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

            entry.Property(column.Property.Name).CurrentValue = value;
        }

        entry.State = EntityState.Unchanged;
        return instance;
    }

    private static object Read<T>(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<T>(ordinal)!;

    private static Layout? LayoutOf(DbContext db, IEntityType entityType) => Layouts.GetValue(entityType, e => new Built(Build(db, e))).Layout;

    private static Layout? Build(DbContext db, IEntityType entityType)
    {
        if (!SagaRowCommands.Supports(db, entityType.ClrType)) return null;
        if (entityType.GetServiceProperties().Any() || entityType.GetDeclaredQueryFilters().Count > 0) return null;
        var constructor = entityType.ClrType.GetConstructor(Type.EmptyTypes);
        if (constructor is null) return null;

        var tableName = entityType.GetTableName()!;
        var table = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = new List<Column>();
        string? key = null;
        foreach (var property in entityType.GetProperties())
        {
            var name = sql.DelimitIdentifier(property.GetColumnName(table)!);
            var mapping = property.GetRelationalTypeMapping();
            var stored = mapping.Converter?.ProviderClrType ?? property.ClrType;
            var read = ReadAs.MakeGenericMethod(Nullable.GetUnderlyingType(stored) ?? stored)
                .CreateDelegate<Func<NpgsqlDataReader, int, object>>();
            columns.Add(new Column(property, name, mapping, read));
            if (property.Name == nameof(ISaga.CorrelationId)) key = name;
        }

        var from = sql.DelimitIdentifier(tableName, table.Schema);
        var select = $"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {from} WHERE {key} = $1 FOR UPDATE";
        return new Layout(columns, select, () => constructor.Invoke(null));
    }

    private static InvalidOperationException Unsupported(Type sagaType) =>
        new($"{sagaType.Name}'s mapping is not one the saga repository reads itself; it should have loaded it through EF Core.");

    private sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping, Func<NpgsqlDataReader, int, object> Read);

    private sealed record Built(Layout? Layout);

    private sealed record Layout(IReadOnlyList<Column> Columns, string SelectForUpdate, Func<object> Create);
}
