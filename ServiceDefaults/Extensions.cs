using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire service-defaults shape: every service calls <see cref="AddServiceDefaults{TBuilder}"/> at start-up and
/// <see cref="MapDefaultEndpoints"/> before it runs. What it adds beyond the template is the messaging and database
/// telemetry this system is about (MassTransit's activity source and meter, Npgsql's tracing).
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Tag of the checks that tell whether the process is alive (as opposed to ready).</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.AddProcessor(services => new BaggageLogProcessor(services.GetRequiredService<IOptions<BaggageAttributeOptions>>()));
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources.Meters))
            .WithTracing(tracing => tracing
                // First processor: the exporters added after it (OTLP, a test's in-memory one) see its attributes.
                .AddProcessor(services => new BaggageSpanProcessor(services.GetRequiredService<IOptions<BaggageAttributeOptions>>()))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetrySources.ActivitySources)
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Health probes are noise in a trace view.
                    aspnet.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        var startupHealthLog = new StartupHealthLog(); // no "fail: … Unhealthy" for probes that arrive during start-up
        builder.Services.AddSingleton(startupHealthLog);
        builder.Logging.AddFilter(StartupHealthLog.Category, startupHealthLog.ShouldLog);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: readiness, every registered check (the bus, the database, …); <c>/alive</c>: liveness, only the
    /// checks tagged <see cref="LiveTag"/>. Both answer 200 when healthy and 503 otherwise, with a JSON body per check.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = (context, report) =>
            {
                if (report.Status == HealthStatus.Healthy) context.RequestServices.GetService<StartupHealthLog>()?.Healthy();
                return HealthReportWriter.WriteAsync(context, report);
            },
        });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        return app;
    }
}
