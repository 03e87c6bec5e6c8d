using System.Runtime.CompilerServices;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// A saga instance's row written as one statement for the consuming pass's commit batch
/// (<see cref="Storage.PassCommitBatch"/>) instead of through <c>SaveChanges</c>: the INSERT of a new instance, or
/// the UPDATE of the columns the state machine changed on a loaded one. Columns, their names and their conversions come
/// from the saga's EF Core mapping (each value goes through its property's type mapping, value converters included), so
/// the statement writes what <c>SaveChanges</c> would. <c>xmin</c> is PostgreSQL's, never written.
/// <para>
/// Only for mappings this can write faithfully: one table, no inheritance, no owned or complex types, no navigations,
/// no shadow properties; anything else goes through <c>SaveChanges</c> (<see cref="Supports"/>).
/// </para>
/// </summary>
internal static class SagaRowCommands
{
    private static readonly ConditionalWeakTable<IEntityType, Built> Layouts = new();

    // RelationalTypeMapping.CreateParameter takes a command to create the parameter from; it does not add it there.
    private static readonly NpgsqlCommand ParameterSource = new();

    /// <summary>True when the instance's mapping is one this class writes.</summary>
    public static bool Supports(DbContext db, Type sagaType) =>
        db.Model.FindEntityType(sagaType) is { } entityType && LayoutOf(db, entityType) is not null;

    /// <summary>The INSERT of a new instance (every column but <c>xmin</c>), read from <paramref name="entry"/>.</summary>
    public static NpgsqlBatchCommand Insert(DbContext db, EntityEntry entry)
    {
        var layout = LayoutOf(db, entry.Metadata) ?? throw Unsupported(entry.Metadata);
        var command = new NpgsqlBatchCommand(layout.Insert);
        foreach (var column in layout.Columns) command.Parameters.Add(Parameter(column, entry.Property(column.Property.Name).CurrentValue));
        return command;
    }

    /// <summary>The UPDATE of the columns changed since the instance was loaded, by key; null when nothing changed.</summary>
    public static NpgsqlBatchCommand? Update(DbContext db, EntityEntry entry)
    {
        var layout = LayoutOf(db, entry.Metadata) ?? throw Unsupported(entry.Metadata);
        entry.DetectChanges();
        var changed = layout.Columns.Where(c => entry.Property(c.Property.Name).IsModified).ToList();
        if (changed.Count == 0) return null;

        var set = string.Join(", ", changed.Select((c, i) => $"{c.Name} = ${i + 1}"));
        var command = new NpgsqlBatchCommand($"UPDATE {layout.Table} SET {set} WHERE {layout.Key.Name} = ${changed.Count + 1}");
        foreach (var column in changed) command.Parameters.Add(Parameter(column, entry.Property(column.Property.Name).CurrentValue));
        command.Parameters.Add(Parameter(layout.Key, entry.Property(layout.Key.Property.Name).CurrentValue));
        return command;
    }

    private static NpgsqlParameter Parameter(Column column, object? value) =>
        (NpgsqlParameter)column.Mapping.CreateParameter(ParameterSource, "", value, column.Property.IsNullable);

    private static Layout? LayoutOf(DbContext db, IEntityType entityType) => Layouts.GetValue(entityType, e => new Built(Build(db, e))).Layout;

    private static Layout? Build(DbContext db, IEntityType entityType)
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
            if (name == "xmin") continue; // the row version: PostgreSQL's system column
            var column = new Column(property, sql.DelimitIdentifier(name), property.GetRelationalTypeMapping());
            columns.Add(column);
            if (property.Name == nameof(ISaga.CorrelationId)) key = column;
        }

        if (key is null) return null;
        var from = sql.DelimitIdentifier(tableName, table.Schema);
        var insert = $"INSERT INTO {from} ({string.Join(", ", columns.Select(c => c.Name))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))})";
        return new Layout(from, columns, key, insert);
    }

    private static InvalidOperationException Unsupported(IEntityType entityType) =>
        new($"{entityType.DisplayName()}'s mapping is not one the saga repository writes in the commit batch; it should have used SaveChanges.");

    private sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping);

    private sealed record Built(Layout? Layout);

    private sealed record Layout(string Table, IReadOnlyList<Column> Columns, Column Key, string Insert);
}
