using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrderSystem.Inventory.OperatorAccess;

/// <summary>
/// Declares the operator API key in the OpenAPI document (an <c>apiKey</c> scheme in the <c>X-Api-Key</c> header) and
/// marks every operation behind the <see cref="OperatorApiKey.Policy"/> policy as needing it.
/// </summary>
public sealed class OperatorApiKeyOpenApi : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[OperatorApiKey.Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = OperatorApiKey.HeaderName,
            Description = $"The operator API key ({OperatorApiKey.ConfigurationKey}). Needed by the endpoints that change the catalog or the stock.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var needsOperator = context.Description.ActionDescriptor.EndpointMetadata
            .OfType<IAuthorizeData>()
            .Any(a => a.Policy == OperatorApiKey.Policy);
        if (needsOperator)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(OperatorApiKey.Scheme, context.Document)] = [],
            });
        }

        return Task.CompletedTask;
    }
}
