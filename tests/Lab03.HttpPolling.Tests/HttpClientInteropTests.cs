using System.Net.Http.Json;
using System.Text;

namespace Lab03.HttpPolling.Tests;

/// <summary>
/// .NET's HttpClient, a client this course did not write, against the lab's
/// server: proof that it speaks real HTTP/1.1 (notebook 03 §6).
/// </summary>
public class HttpClientInteropTests
{
    private const string Read = "Notebook 03 §6; RFC 9112";

    [Fact, Graded(2, Hint = Read)]
    public async Task HttpClient_publishes_polls_and_long_polls_on_one_connection()
    {
        await using var server = await FeedServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.EndPoint}/"), Timeout = TimeSpan.FromSeconds(5) };

        using var posted = await http.PostAsync("messages", new StringContent("{\"text\":\"from HttpClient\"}", Encoding.UTF8, "application/json"))
            .Within(TimeSpan.FromSeconds(6), "HttpClient's POST /messages", server.Story);
        Check.Equal((int)posted.StatusCode, 201, "HttpClient: the status of POST /messages", Read);
        var message = await posted.Content.ReadFromJsonAsync<FeedMessage>(FeedJson.Options);
        Check.Equal(message, new FeedMessage(1, "from HttpClient"), "HttpClient: the message the POST answered", Read);

        var waiting = http.GetStringAsync("messages?since=1&wait=10");
        await Task.Delay(200);
        server.App.Feed.Publish("pushed");
        var body = await waiting.Within(TimeSpan.FromSeconds(6), "HttpClient's long poll to be answered after a publish", server.Story);
        Check.Equal(body, "[{\"id\":2,\"text\":\"pushed\"}]", "HttpClient: the body of its long poll", Read);

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "messages?since=0")).Within(TimeSpan.FromSeconds(6), "HttpClient's HEAD", server.Story);
        Check.Equal(head.Content.Headers.ContentLength, (long)"[{\"id\":1,\"text\":\"from HttpClient\"},{\"id\":2,\"text\":\"pushed\"}]".Length,
            "HttpClient: Content-Length of HEAD /messages?since=0 (the length GET's body would have)", Read + "; RFC 9110 §9.3.2");
        Check.Equal(server.Server.RequestCount, 3L, "requests the server answered", Read);
        Check.True(server.Server.ConnectionCount <= 1, $"HttpClient should reuse one kept-alive connection; the server has {server.Server.ConnectionCount} open", Read + " §9.3");
    }
}
