using System.Text;

namespace Lab03.HttpPolling.Tests;

/// <summary>Writing responses, and the one place that maps request errors to statuses (RFC 9112 §4, RFC 9110 §15; notebook 03 §3).</summary>
public class ResponseTests
{
    private const string Read = "Notebook 03 §3; RFC 9112 §4 (status line), §6.3 (Content-Length); RFC 9110 §6.6.1 (Date), §15 (status codes)";
    private static readonly DateTimeOffset Date = new(2026, 11, 23, 9, 30, 5, TimeSpan.Zero);

    [Fact, Graded(2, Hint = Read)]
    public void Writes_status_line_date_length_fields_and_body_with_CRLF()
    {
        var response = HttpResponse.Text(HttpStatus.MethodNotAllowed, "use GET");
        response.Headers.Add("Allow", "GET, HEAD, POST");
        var text = Encoding.Latin1.GetString(HttpResponseWriter.Serialize(response, Date, close: true));

        const string expected =
            "HTTP/1.1 405 Method Not Allowed\r\n" +
            "Date: Mon, 23 Nov 2026 09:30:05 GMT\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 8\r\n" +
            "Allow: GET, HEAD, POST\r\n" +
            "Connection: close\r\n" +
            "\r\n" +
            "use GET\n";
        Check.Equal(text, expected, "step 4: the bytes of a 405 response with an Allow field, closing the connection", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Writes_Content_Length_0_and_no_body_for_HEAD()
    {
        var empty = Encoding.Latin1.GetString(HttpResponseWriter.Serialize(new HttpResponse(HttpStatus.Ok), Date, close: false));
        Check.Equal(empty, "HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 09:30:05 GMT\r\nContent-Length: 0\r\n\r\n",
            "step 4: an empty 200 on a kept-alive connection (Content-Length: 0 says where it ends; no Connection field)", Read);

        var json = HttpResponse.Json(HttpStatus.Ok, "[]");
        var head = Encoding.Latin1.GetString(HttpResponseWriter.Serialize(json, Date, close: false, headRequest: true));
        Check.Equal(head, "HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 09:30:05 GMT\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n",
            "step 4: the answer to HEAD: the fields GET would get, Content-Length included, and no body (RFC 9110 §9.3.2)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Maps_each_request_error_to_its_status()
    {
        var expected = new Dictionary<RequestError, int>
        {
            [RequestError.Malformed] = 400,
            [RequestError.RequestLineTooLong] = 414,
            [RequestError.HeadersTooLarge] = 431,
            [RequestError.BodyTooLarge] = 413,
            [RequestError.UnsupportedVersion] = 505,
            [RequestError.UnsupportedTransferEncoding] = 501,
            [RequestError.Timeout] = 408,
        };
        Check.Equal(expected.Count, Enum.GetValues<RequestError>().Length, "request errors this test knows", "A new RequestError needs its status here too.");
        foreach (var (error, status) in expected)
            Check.Equal(RequestErrors.StatusFor(error), status, $"step 3: the status for RequestError.{error}", Read);
    }
}
