using Microsoft.AspNetCore.Authentication;

namespace OrderSystem.Inventory.OperatorAccess;

/// <summary>Registers the operator API key scheme and the <see cref="OperatorApiKey.Policy"/> policy that the operator endpoints require.</summary>
public static class OperatorAccessExtensions
{
    public static IHostApplicationBuilder AddOperatorAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication() // no default scheme: only the operator policy runs this handler, shopper requests never do
            .AddScheme<AuthenticationSchemeOptions, OperatorApiKeyHandler>(OperatorApiKey.Scheme, _ => { });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OperatorApiKey.Policy, policy => policy.AddAuthenticationSchemes(OperatorApiKey.Scheme).RequireRole(OperatorApiKey.Policy));
        return builder;
    }

    /// <summary>The endpoint needs the operator key; its OpenAPI operation says so, with the 401 and 503 answers.</summary>
    public static RouteHandlerBuilder RequireOperator(this RouteHandlerBuilder endpoint) =>
        endpoint.RequireAuthorization(OperatorApiKey.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
