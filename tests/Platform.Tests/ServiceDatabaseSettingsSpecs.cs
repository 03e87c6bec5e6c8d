using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrderSystem.Notification.Persistence;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// What <c>AddServiceDatabase</c> adds to a service's connection string (docs/performance.md says what each buys):
/// auto-prepared statements, and no session reset when a pooled connection is reused. A value the string sets wins.
/// </summary>
public sealed class ServiceDatabaseSettingsSpecs
{
    private const string Base = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=notificationdb";

    private static NpgsqlConnectionStringBuilder EffectiveSettings(string connectionString)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:notificationdb"] = connectionString;
        builder.AddServiceDatabase<NotificationDbContext>("notificationdb");
        using var app = builder.Build();
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        return new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
    }

    [Fact]
    public void A_plain_connection_string_gets_auto_prepare_and_no_reset_on_close()
    {
        var settings = EffectiveSettings(Base);
        settings.MaxAutoPrepare.ShouldBe(50);
        settings.NoResetOnClose.ShouldBeTrue();
    }

    [Fact]
    public void Values_the_connection_string_sets_win()
    {
        var settings = EffectiveSettings(Base + ";Max Auto Prepare=7;No Reset On Close=false");
        settings.MaxAutoPrepare.ShouldBe(7);
        settings.NoResetOnClose.ShouldBeFalse();
    }
}
