using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>The one management HTTP API call the error-queue commands need: the queues of a vhost with their depth.</summary>
public sealed class ManagementApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ManagementAddress _address;

    public ManagementApiClient(ManagementAddress address)
    {
        _address = address;
        _http = new HttpClient { BaseAddress = address.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{address.Credentials.UserName}:{address.Credentials.Password}"));
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
    }

    public async Task<IReadOnlyList<QueueSummary>> GetQueuesAsync(string vhost, CancellationToken cancellationToken)
    {
        var path = $"queues/{Uri.EscapeDataString(vhost)}?columns=name,vhost,type,messages,messages_ready,messages_unacknowledged,consumers";
        using var response = await _http.GetAsync(path, cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                throw new CommandFailedException($"virtual host '{vhost}' does not exist on {_address.Display}");
            case HttpStatusCode.Unauthorized:
                throw new CommandFailedException($"the management API at {_address.Display} refused the credentials of user '{_address.Credentials.UserName}'");
            case HttpStatusCode.Forbidden:
                throw new CommandFailedException($"user '{_address.Credentials.UserName}' may not read vhost '{vhost}' on {_address.Display}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new CommandFailedException($"the management API at {_address.Display} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        return await response.Content.ReadFromJsonAsync<List<QueueSummary>>(cancellationToken) ?? [];
    }

    public void Dispose() => _http.Dispose();
}
