using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Npgsql;

namespace OrderSystem.Messaging.Sagas;

/// <summary>
/// A saga instance's row written as one statement for the consuming pass's commit batch
/// (<see cref="Storage.PassCommitBatch"/>) instead of through <c>SaveChanges</c>: the INSERT of a new instance, or
/// the UPDATE of the columns the state machine changed on a loaded one. Columns, their names and their conversions come
/// from the saga's EF Core mapping (<see cref="SagaRowLayout"/>; each value goes through its property's type mapping,
/// value converters included), so the statement writes what <c>SaveChanges</c> would. <c>xmin</c> is PostgreSQL's,
/// never written. Mappings the layout does not cover go through <c>SaveChanges</c> (<see cref="Supports"/>).
/// </summary>
internal static class SagaRowCommands
{
    // RelationalTypeMapping.CreateParameter takes a command to create the parameter from; it does not add it there.
    private static readonly NpgsqlCommand ParameterSource = new();

    /// <summary>True when the instance's mapping is one this class writes.</summary>
    public static bool Supports(DbContext db, Type sagaType) => SagaRowLayout.For(db, sagaType) is not null;

    /// <summary>The INSERT of a new instance (every column but <c>xmin</c>), read from <paramref name="entry"/>.</summary>
    public static NpgsqlBatchCommand Insert(DbContext db, EntityEntry entry)
    {
        var layout = LayoutOf(db, entry);
        var command = new NpgsqlBatchCommand(layout.Insert);
        foreach (var column in layout.Written) command.Parameters.Add(Parameter(column, entry.Property(column.Property).CurrentValue));
        return command;
    }

    /// <summary>The UPDATE of the columns changed since the instance was loaded, by key; null when nothing changed.</summary>
    public static NpgsqlBatchCommand? Update(DbContext db, EntityEntry entry)
    {
        var layout = LayoutOf(db, entry);
        entry.DetectChanges();
        var changed = layout.Written.Where(c => entry.Property(c.Property).IsModified).ToList();
        if (changed.Count == 0) return null;

        var set = string.Join(", ", changed.Select((c, i) => $"{c.Name} = ${i + 1}"));
        var command = new NpgsqlBatchCommand($"UPDATE {layout.Table} SET {set} WHERE {layout.Key.Name} = ${changed.Count + 1}");
        foreach (var column in changed) command.Parameters.Add(Parameter(column, entry.Property(column.Property).CurrentValue));
        command.Parameters.Add(Parameter(layout.Key, entry.Property(layout.Key.Property).CurrentValue));
        return command;
    }

    private static SagaRowLayout LayoutOf(DbContext db, EntityEntry entry) =>
        SagaRowLayout.For(db, entry.Metadata.ClrType)
            ?? throw new InvalidOperationException(
                $"{entry.Metadata.DisplayName()}'s mapping is not one the saga repository writes in the commit batch; it should have used SaveChanges.");

    private static NpgsqlParameter Parameter(SagaRowLayout.Column column, object? value) =>
        (NpgsqlParameter)column.Mapping.CreateParameter(ParameterSource, "", value, column.Property.IsNullable);
}
