using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every HTTP error a service answers is a ProblemDetails, and a request it cannot read says which field is wrong and
/// what was expected (<see cref="RequestProblemHandler"/>); anything else is a 500 ProblemDetails without internals.
/// </summary>
public static class RequestProblemExtensions
{
    public static IHostApplicationBuilder AddRequestProblemDetails(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = RequestProblemHandler.NameTheContentType);
        // A body or parameter the endpoint cannot bind throws, in every environment, so that RequestProblemHandler
        // answers it with a ProblemDetails naming the field (the default is an empty 400 outside Development).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<RequestProblemHandler>();
        return builder;
    }

    /// <summary>Before the endpoints: the handler above for unreadable requests, a 500 ProblemDetails otherwise, and a ProblemDetails for every empty 4xx.</summary>
    public static WebApplication UseRequestProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
