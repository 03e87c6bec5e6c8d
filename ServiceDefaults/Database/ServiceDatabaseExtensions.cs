using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A service's own PostgreSQL database through EF Core, and its migrations at start-up. The DbContext is registered
/// here and then enriched by Aspire's client integration (<c>EnrichNpgsqlDbContext</c>: Npgsql tracing and metrics,
/// command timeout). Like <c>AddNpgsqlDbContext</c> it pools the DbContext (building one per message was most of the
/// outbox's allocations, docs/performance.md); the messaging building block keeps no per-message state on the context
/// beyond what a pooled context resets (the change tracker) or what is keyed by transaction (<c>AfterCommit</c>). Unlike
/// it, no retrying execution strategy (the outbox opens its own transactions, which a retrying strategy refuses). The health check is ours, named after the connection, so
/// <c>/health</c> and the dashboard say which database is down.
/// </summary>
public static class ServiceDatabaseExtensions
{
    /// <summary>Tag of the readiness checks (they join <c>/health</c>, not <c>/alive</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the connection string <paramref name="connectionName"/> (what the
    /// AppHost's <c>AddDatabase(connectionName)</c> injects as <c>ConnectionStrings__{connectionName}</c>), with a health
    /// check that is Unhealthy while the database cannot be reached.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<NpgsqlDbContextOptionsBuilder>? configureNpgsql = null)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Connection string '{connectionName}' is missing. Set ConnectionStrings__{connectionName} " +
                "(the AppHost and eng/run.sh do), e.g. Host=localhost;Port=5432;Username=postgres;Password=…;Database=" + connectionName + ".");
        }

        // Auto-prepare: the outbox, inbox and saga run the same few statements for every message; preparing them
        // saves a parse and plan per statement (docs/performance.md measured about +35% outbox throughput).
        // A value set in the connection string wins.
        var npgsqlConnection = new NpgsqlConnectionStringBuilder(connectionString);
        if (npgsqlConnection.MaxAutoPrepare == 0) npgsqlConnection.MaxAutoPrepare = 50;

        // No reset on close: by default Npgsql resets a pooled connection's session before reusing it; with prepared
        // statements that is seven statements (RESET ALL, UNLISTEN *, pg_advisory_unlock_all(), …) on every open, and the
        // outbox opens a connection several times per message (about 130 such statements per order over the four
        // databases, docs/performance.md). Nothing here leaves session state behind: every SET, lock and temporary
        // object is transaction-scoped, and the one session-level advisory lock (the migration's) is released and its
        // connections are cleared from the pool before the service starts (MigrateDatabaseAsync).
        // (NpgsqlConnectionStringBuilder.ContainsKey answers for every keyword it knows, set or not: ask a plain builder.)
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose")) npgsqlConnection.NoResetOnClose = true;
        connectionString = npgsqlConnection.ConnectionString;

        builder.Services.AddDbContextPool<TContext>(options => options.UseNpgsql(connectionString, npgsql =>
        {
            npgsql.MigrationsAssembly(typeof(TContext).Assembly.GetName().Name);
            npgsql.ConfigureDataSource(dataSource => dataSource.ConfigureTracing(DatabaseSpanNames.Configure));
            configureNpgsql?.Invoke(npgsql);
        }));
        builder.EnrichNpgsqlDbContext<TContext>(settings =>
        {
            settings.DisableRetry = true;
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(connectionName, tags: [ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Creates the database if it does not exist and applies pending migrations. Safe when several replicas start at
    /// once: a PostgreSQL advisory lock lets one migrate while the others wait, then find nothing left to do.
    /// Call it before the host starts, so no consumer runs against an old schema.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TContext>(this WebApplication app, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("OrderSystem.Migrations");

        await CreateDatabaseIfMissingAsync(db, cancellationToken);

        // Any constant shared by the replicas of this service works as the key; the context's name keeps services apart.
        var lockKey = StableHash(typeof(TContext).FullName!);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({lockKey})", cancellationToken);
            // Without this, EF reads a history table that does not exist yet and logs that failure as an error.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying {Count} migration(s) to {Context}: {Migrations}", pending.Count, typeof(TContext).Name, pending);
                await db.Database.MigrateAsync(cancellationToken);
            }

            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockKey})", cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
            // Connections are not reset when reused (AddServiceDatabase): none that ran the migration, and may still hold
            // its session lock after a failure, goes back to the pool.
            if (db.Database.GetDbConnection() is NpgsqlConnection connection) NpgsqlConnection.ClearPool(connection);
        }
    }

    private static async Task CreateDatabaseIfMissingAsync(DbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancellationToken)) return;
        try
        {
            await creator.CreateAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another replica created it first.
        }
    }

    private static long StableHash(string value)
    {
        // FNV-1a, 64 bit: string.GetHashCode is randomised per process, and replicas must agree on the key.
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
