using System.Net.Http.Headers;
using System.Text;

namespace OrderSystem.AppHost.Operations;

/// <summary>
/// The broker's addresses as the AppHost's operations need them: the AMQP URI the services get, its management API,
/// and the credentials of both (taken from the URI, so they follow the parameters in either infrastructure mode).
/// </summary>
internal sealed record BrokerManagement(string AmqpUri, Uri ManagementUrl, string User, string Password)
{
    public static async Task<BrokerManagement> ForAsync(IResourceWithConnectionString broker, CancellationToken cancellationToken)
    {
        var amqp = await broker.ConnectionStringExpression.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException("The broker has no connection string yet.");
        var credentials = new Uri(amqp).UserInfo.Split(':', 2).Select(Uri.UnescapeDataString).ToArray();
        var management = ((IResourceWithEndpoints)broker).GetEndpoint("management").Url;
        return new BrokerManagement(amqp, new Uri(management), credentials[0], credentials[1]);
    }

    /// <summary>The management URL with the credentials in it, the form the operator tool takes.</summary>
    public string ManagementUrlWithCredentials => new UriBuilder(ManagementUrl) { UserName = User, Password = Password }.Uri.ToString();

    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = ManagementUrl, Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        return client;
    }
}
