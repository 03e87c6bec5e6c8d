using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OrderSystem.Messaging.Tests.Support;

/// <summary>
/// Creates a test database's schema the way an EF migration would: the migrations model differ computes the
/// operations from an empty model to <see cref="TestDbContext"/>'s, and the migrations SQL generator turns them into
/// DDL. (EnsureCreated takes another path; this one proves the mapping is migration-ready, e.g. that <c>xmin</c> is not
/// added as a column.)
/// </summary>
public static class MigrationSchema
{
    public static DbContextOptions<TestDbContext> Options(string connectionString) =>
        new DbContextOptionsBuilder<TestDbContext>().UseNpgsql(connectionString).Options;

    public static async Task<IReadOnlyList<string>> CreateAsync(string connectionString)
    {
        await using var db = new TestDbContext(Options(connectionString));
        var model = db.GetService<IDesignTimeModel>().Model;
        var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel());
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        foreach (var command in commands) await db.Database.ExecuteSqlRawAsync(command.CommandText);
        return commands.Select(c => c.CommandText).ToList();
    }
}
