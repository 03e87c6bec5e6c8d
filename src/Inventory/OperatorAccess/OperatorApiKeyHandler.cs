using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace OrderSystem.Inventory.OperatorAccess;

/// <summary>
/// Authenticates an operator by the <c>X-Api-Key</c> header against <c>Inventory:OperatorApiKey</c>, read on every
/// request (a rotated key takes effect without a restart where configuration reloads).
/// <para>
/// The comparison is constant-time over SHA-256 digests, so neither the content nor the length of the key leaks through
/// timing. Neither key ever appears in a log line, a failure message or a response. Refusals are ProblemDetails:
/// 401 without the header or with a wrong key; 503 when no key is configured: the operator endpoints are then off, and
/// the answer says so instead of suggesting that the caller's key is wrong.
/// </para>
/// </summary>
public sealed class OperatorApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IConfiguration configuration,
    IProblemDetailsService problemDetails)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string NotConfigured = "not configured";

    private string? ConfiguredKey => configuration[OperatorApiKey.ConfigurationKey] is { } key && !string.IsNullOrWhiteSpace(key) ? key : null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ConfiguredKey is not { } expected) return Task.FromResult(AuthenticateResult.Fail(NotConfigured));
        if (!Request.Headers.TryGetValue(OperatorApiKey.HeaderName, out var given) || given.Count != 1 || string.IsNullOrEmpty(given[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!CryptographicOperations.FixedTimeEquals(Digest(given[0]!), Digest(expected)))
        {
            return Task.FromResult(AuthenticateResult.Fail("wrong operator API key"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, OperatorApiKey.Policy)], OperatorApiKey.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), OperatorApiKey.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var problem = ConfiguredKey is null
            ? new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Operator endpoints are disabled",
                Detail = $"No operator API key is configured ({OperatorApiKey.ConfigurationKey}); set it to enable the operator endpoints.",
            }
            : new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Operator API key required",
                Detail = Request.Headers.ContainsKey(OperatorApiKey.HeaderName)
                    ? $"The {OperatorApiKey.HeaderName} header does not hold the operator API key."
                    : $"Send the operator API key in the {OperatorApiKey.HeaderName} header.",
            };
        Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status401Unauthorized) Response.Headers.WWWAuthenticate = $"ApiKey header=\"{OperatorApiKey.HeaderName}\"";
        await problemDetails.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
