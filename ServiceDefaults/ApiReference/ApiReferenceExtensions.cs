using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The service's OpenAPI document (<c>/openapi/v1.json</c>) and its browsable reference (<c>/scalar/v1</c>, where
/// <c>GET /</c> leads), titled and described for this project, without the reference's features that have nothing to do
/// with it (client download, AI agent, MCP, developer toolbar, telemetry).
/// </summary>
public static class ApiReferenceExtensions
{
    public const string UiPath = "/scalar/v1";

    public static IHostApplicationBuilder AddApiReference(this IHostApplicationBuilder builder, string title, string description)
    {
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = title;
            document.Info.Description = description;
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiReference(this WebApplication app, string title)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(scalar => scalar
            .WithTitle(title)
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl)
            .HideClientButton()
            .HideDeveloperTools()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry());
        app.MapGet("/", () => TypedResults.Redirect(UiPath)).ExcludeFromDescription();
        return app;
    }
}
