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
/// A saga instance's row as its EF Core mapping lays it out, for the statements the repository sends to Npgsql itself:
/// table, key, and each column with its name, type mapping (value converters included) and provider type; <c>xmin</c>,
/// the row version, is read and never written. Built once per entity type. <see cref="SagaRowCommands"/> writes with it,
/// <see cref="SagaRowReader"/> reads with it.
/// <para>
/// Only for mappings these can handle faithfully: one table, no inheritance, no owned or complex types, no navigations,
/// no shadow properties (<see cref="For"/> is null otherwise, and the repository goes through EF Core). Reading also
/// needs a parameterless constructor, no service properties and no query filter (<see cref="Readable"/>).
/// </para>
/// </summary>
internal sealed class SagaRowLayout
{
    private static readonly ConditionalWeakTable<IEntityType, Built> Layouts = new();

    private static readonly MethodInfo ReadAs = typeof(SagaRowLayout).GetMethod(nameof(Read), BindingFlags.NonPublic | BindingFlags.Static)!;

    private SagaRowLayout(string table, IReadOnlyList<Column> columns, Column key, ConstructorInfo? constructor)
    {
        Table = table;
        Columns = columns;
        Written = columns.Where(c => !c.IsRowVersion).ToList();
        Key = key;
        Create = constructor is null ? null : () => constructor.Invoke(null);
        Insert = $"INSERT INTO {table} ({string.Join(", ", Written.Select(c => c.Name))}) " +
            $"VALUES ({string.Join(", ", Written.Select((_, i) => $"${i + 1}"))})";
        SelectForUpdate = $"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {table} WHERE {key.Name} = $1 FOR UPDATE";
    }

    /// <summary>The delimited table name.</summary>
    public string Table { get; }

    /// <summary>Every mapped column, <c>xmin</c> included, in the order <see cref="SelectForUpdate"/> reads them.</summary>
    public IReadOnlyList<Column> Columns { get; }

    /// <summary>The columns a statement writes: all but <c>xmin</c>.</summary>
    public IReadOnlyList<Column> Written { get; }

    public Column Key { get; }

    /// <summary><c>INSERT</c> of every written column, positional parameters in <see cref="Written"/>'s order.</summary>
    public string Insert { get; }

    /// <summary><c>SELECT</c> of every column of the instance whose key is <c>$1</c>, <c>FOR UPDATE</c>.</summary>
    public string SelectForUpdate { get; }

    /// <summary>Makes an empty instance to read a row into; null when the mapping cannot be read.</summary>
    public Func<object>? Create { get; }

    /// <summary>True when <see cref="SagaRowReader"/> can read an instance with this layout.</summary>
    public bool Readable => Create is not null;

    /// <summary>The layout of <paramref name="sagaType"/>'s row, or null when its mapping is not one this covers.</summary>
    public static SagaRowLayout? For(DbContext db, Type sagaType) =>
        db.Model.FindEntityType(sagaType) is { } entityType ? Layouts.GetValue(entityType, e => new Built(Build(db, e))).Layout : null;

    private static object Read<T>(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<T>(ordinal)!;

    private static SagaRowLayout? Build(DbContext db, IEntityType entityType)
    {
        if (entityType.GetTableName() is not { } tableName) return null;
        if (entityType.BaseType is not null || entityType.GetDerivedTypes().Any() || entityType.IsOwned()) return null;
        if (entityType.GetNavigations().Any() || entityType.GetSkipNavigations().Any() || entityType.GetComplexProperties().Any()) return null;
        var table = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
        if (db.Model.GetEntityTypes().Count(e => e.GetTableName() == tableName && e.GetSchema() == table.Schema) != 1) return null;

        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = new List<Column>();
        Column? key = null;
        foreach (var property in entityType.GetProperties())
        {
            if (property.IsShadowProperty()) return null;
            var name = property.GetColumnName(table);
            if (name is null) return null;
            var mapping = property.GetRelationalTypeMapping();
            var stored = mapping.Converter?.ProviderClrType ?? property.ClrType;
            var read = ReadAs.MakeGenericMethod(Nullable.GetUnderlyingType(stored) ?? stored).CreateDelegate<Func<NpgsqlDataReader, int, object>>();
            var column = new Column(property, sql.DelimitIdentifier(name), mapping, name == "xmin", read);
            columns.Add(column);
            if (property.Name == nameof(ISaga.CorrelationId)) key = column;
        }

        if (key is null) return null;
        var readable = !entityType.GetServiceProperties().Any() && entityType.GetDeclaredQueryFilters().Count == 0;
        var constructor = readable ? entityType.ClrType.GetConstructor(Type.EmptyTypes) : null;
        return new SagaRowLayout(sql.DelimitIdentifier(tableName, table.Schema), columns, key, constructor);
    }

    /// <summary>One mapped column; <see cref="Read"/> reads its value as the provider type (before value conversion).</summary>
    public sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping, bool IsRowVersion, Func<NpgsqlDataReader, int, object> Read);

    private sealed record Built(SagaRowLayout? Layout);
}
