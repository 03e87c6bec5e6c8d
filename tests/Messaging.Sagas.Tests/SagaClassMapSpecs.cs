using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using OrderSystem.Messaging.Sagas.Tests.Counter;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace OrderSystem.Messaging.Sagas.Tests;

/// <summary>
/// The base mapping: the key is the correlation id (assigned by MassTransit, never by the database), and the row
/// version is PostgreSQL's xmin, which a migration must not try to create.
/// </summary>
public class SagaClassMapSpecs(ITestOutputHelper output)
{
    private static SagaTestDbContext NewContext() =>
        new(new DbContextOptionsBuilder<SagaTestDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);

    [Fact]
    public void Should_map_the_correlation_id_as_a_key_the_database_never_generates()
    {
        using var db = NewContext();
        var entity = db.Model.FindEntityType(typeof(CounterState))!;

        entity.FindPrimaryKey()!.Properties.Select(p => p.Name).ShouldBe([nameof(CounterState.CorrelationId)]);
        entity.FindProperty(nameof(CounterState.CorrelationId))!.ValueGenerated.ShouldBe(ValueGenerated.Never);
    }

    [Fact]
    public void Should_map_the_row_version_to_xmin_as_a_concurrency_token()
    {
        using var db = NewContext();
        var entity = db.Model.FindEntityType(typeof(CounterState))!;
        var rowVersion = entity.FindProperty(nameof(CounterState.RowVersion))!;

        rowVersion.GetColumnName().ShouldBe("xmin");
        rowVersion.GetColumnType().ShouldBe("xid");
        rowVersion.IsConcurrencyToken.ShouldBeTrue();
        rowVersion.ValueGenerated.ShouldBe(ValueGenerated.OnAddOrUpdate);
    }

    [Fact]
    public void Should_produce_a_migration_that_creates_no_xmin_column()
    {
        using var db = NewContext();
        var model = db.GetService<IDesignTimeModel>().Model;
        var operations = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel());

        // The model has an xmin column (that is how EF knows to read it back); Npgsql's SQL generator leaves system
        // columns out of CREATE TABLE. What counts is the SQL a migration would run.
        var sql = string.Join("\n", db.GetService<IMigrationsSqlGenerator>().Generate(operations, model).Select(c => c.CommandText));
        output.WriteLine(sql);

        sql.ShouldContain("CREATE TABLE counter_state");
        sql.ShouldContain("\"CorrelationId\" uuid NOT NULL");
        sql.ShouldContain("CONSTRAINT \"PK_counter_state\" PRIMARY KEY (\"CorrelationId\")");
        sql.ShouldContain("CREATE INDEX \"IX_counter_state_Name\"");
        sql.ShouldNotContain("xmin");
        sql.ShouldNotContain("IDENTITY");
    }
}
