using System.Text;
using System.Text.Json.Nodes;
using Course.Kernel;

namespace Course.Tests.Kernel;

/// <summary>Signing and the wire format, with bad input: each malformed message is a clear error, never an exception.</summary>
public class WireFormatTests
{
    private static readonly MessageSigner Signer = MessageSigner.FromKey("a-secret-key");

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static JupyterMessage Request(string type = "execute_request") =>
        JupyterMessage.Create(type, new JsonObject { ["code"] = "1 + 1" }, "client-session", identities: [Utf8("client-1")]);

    [Fact]
    public void Hmac_sha256_matches_RFC_4231_test_case_2_over_the_concatenated_parts()
    {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?". Jupyter signs the four
        // JSON parts as one stream, so splitting the data across parts gives the same digest.
        var signer = MessageSigner.FromKey("Jefe");
        signer.Sign([Utf8("what do ya "), Utf8("want "), Utf8("for nothing?")])
            .ShouldBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    [Fact]
    public void An_empty_key_turns_signing_off_as_the_protocol_says()
    {
        var signer = MessageSigner.FromKey("");
        signer.Enabled.ShouldBeFalse();
        signer.Sign([Utf8("{}")]).ShouldBe("");
        signer.Verify("anything", [Utf8("{}")]).ShouldBeTrue();
    }

    [Fact]
    public void Encode_then_decode_gives_back_the_message_with_identities_and_buffers()
    {
        var message = Request() with { Buffers = [[1, 2, 3]] };
        var frames = WireFormat.Encode(message, Signer);
        Encoding.UTF8.GetString(frames[0]).ShouldBe("client-1");
        frames[1].ShouldBe(WireFormat.Delimiter);
        Encoding.ASCII.GetString(frames[2]).Length.ShouldBe(64, "the signature is 32 bytes of HMAC-SHA256 in hex");

        var decoded = WireFormat.Decode(frames, Signer);
        decoded.Error.ShouldBeNull();
        var back = decoded.Message.ShouldNotBeNull();
        (back.Type, back.Id, back.Session).ShouldBe((message.Type, message.Id, "client-session"));
        back.ContentText("code").ShouldBe("1 + 1");
        Encoding.UTF8.GetString(back.Identities.ShouldHaveSingleItem()).ShouldBe("client-1");
        back.Buffers.ShouldHaveSingleItem().ShouldBe(new byte[] { 1, 2, 3 });
    }

    [Fact]
    public void A_message_signed_with_another_key_is_refused()
    {
        var frames = WireFormat.Encode(Request(), MessageSigner.FromKey("the-wrong-key"));
        WireFormat.Decode(frames, Signer).Error.ShouldBe("bad signature (HMAC-SHA256 with the connection file's key does not match)");
    }

    [Fact]
    public void A_message_whose_content_was_changed_after_signing_is_refused()
    {
        var frames = WireFormat.Encode(Request(), Signer);
        frames[6] = Utf8("{\"code\": \"File.Delete(\\\"x\\\")\"}");
        WireFormat.Decode(frames, Signer).Error.ShouldStartWith("bad signature");
    }

    [Fact]
    public void Frames_without_the_delimiter_are_an_error()
    {
        var decoded = WireFormat.Decode([Utf8("just one frame")], Signer);
        decoded.Message.ShouldBeNull();
        decoded.Error.ShouldBe("no <IDS|MSG> delimiter among its 1 frames");
    }

    [Theory]
    [InlineData(2, 0)] // identity and delimiter only
    [InlineData(5, 3)] // the content and metadata are missing
    public void Truncated_frames_are_an_error_that_says_what_is_missing(int keep, int afterDelimiter)
    {
        var frames = WireFormat.Encode(Request(), Signer).Take(keep).ToList();
        var decoded = WireFormat.Decode(frames, Signer);
        decoded.Message.ShouldBeNull();
        decoded.Error.ShouldBe($"truncated: {afterDelimiter} frames after <IDS|MSG>, expected at least 5 (signature, header, parent_header, metadata, content)");
    }

    [Theory]
    [InlineData("not json", "its header is not valid JSON")]
    [InlineData("[1, 2]", "its header is not a JSON object")]
    [InlineData("{\"msg_id\": \"1\"}", "its header has no msg_type or msg_id")]
    public void A_header_that_is_not_a_jupyter_header_is_an_error(string header, string expected)
    {
        byte[][] parts = [Utf8(header), Utf8("{}"), Utf8("{}"), Utf8("{}")];
        List<byte[]> frames = [WireFormat.Delimiter, Encoding.ASCII.GetBytes(Signer.Sign(parts)), .. parts];
        WireFormat.Decode(frames, Signer).Error.ShouldStartWith(expected);
    }

    [Fact]
    public void A_header_string_that_is_not_valid_text_is_an_error_not_an_exception()
    {
        // "\ud800" is valid JSON, but a lone surrogate is not a string .NET can read.
        byte[][] parts = [Utf8("{\"msg_type\": \"\\ud800\", \"msg_id\": \"1\"}"), Utf8("{}"), Utf8("{}"), Utf8("{}")];
        List<byte[]> frames = [WireFormat.Delimiter, Encoding.ASCII.GetBytes(Signer.Sign(parts)), .. parts];
        WireFormat.Decode(frames, Signer).Error.ShouldNotBeNull().ShouldStartWith("malformed");
    }

    [Fact]
    public void A_reply_is_named_after_its_request_and_carries_it_as_parent()
    {
        var request = Request("kernel_info_request");
        var reply = request.Reply(new JsonObject { ["status"] = "ok" }, "kernel-session");
        reply.Type.ShouldBe("kernel_info_reply");
        reply.ParentHeader["msg_id"]!.GetValue<string>().ShouldBe(request.Id);
        reply.Identities.ShouldBe(request.Identities);
        reply.Header["version"]!.GetValue<string>().ShouldBe("5.3");
    }

    [Theory]
    [InlineData("abc", 3, 3)]
    [InlineData("a😀b", 2, 3)] // the emoji is one code point, two UTF-16 code units
    [InlineData("a😀b", 3, 4)]
    [InlineData("", 5, 0)]
    public void Cursor_positions_in_code_points_map_to_utf16_and_back(string text, int codePoints, int utf16)
    {
        CodePoints.ToUtf16Index(text, codePoints).ShouldBe(utf16);
        CodePoints.FromUtf16Index(text, utf16).ShouldBe(Math.Min(codePoints, text.EnumerateRunes().Count()));
    }
}
