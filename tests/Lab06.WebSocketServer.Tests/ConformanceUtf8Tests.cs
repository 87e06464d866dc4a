using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 6: UTF-8 in text messages (RFC 6455 §8.1, RFC 3629).
/// Valid text comes back whatever the cut between fragments; invalid text
/// fails the connection with 1007, and at once: as soon as a byte cannot
/// continue any character, not when the message ends.
/// </summary>
public class ConformanceUtf8Tests
{
    private const string Read = Conformance.Read + "; notebook 06 §5; RFC 6455 §8.1 (\"_Fail the WebSocket Connection_\" on invalid UTF-8), §7.4.1 (1007)";

    [Fact, Graded(1, Hint = Read)]
    public async Task Valid_multibyte_text_is_echoed()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        foreach (var text in new[] { "κόσμε", "Grüße, 世界", "😀 emoji 🎉", "\u007f\u0080\u07ff\u0800\uffff", "\U0010FFFF", "" })
        {
            await client.SendAsync(ClientFrames.Text(text), $"text \"{text}\"");
            await Conformance.ExpectTextEchoAsync(client, text, $"the text \"{text}\"", why: Read);
        }
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Invalid_UTF_8_fails_the_connection_with_1007()
    {
        await using var server = Conformance.Start();
        (string What, byte[] Payload)[] cases =
        [
            ("the byte ff", [0x61, 0xff, 0x62]),
            ("a lone continuation byte 80", [0x80]),
            ("an overlong encoding of / (c0 af)", [0xc0, 0xaf]),
            ("a UTF-16 surrogate (ed a0 80)", [0xed, 0xa0, 0x80]),
            ("a code point past U+10FFFF (f4 90 80 80)", [0xf4, 0x90, 0x80, 0x80]),
            ("a message that ends inside a 3-byte character (e2 82)", [0x61, 0xe2, 0x82]),
        ];
        foreach (var (what, payload) in cases)
            await Conformance.ExpectFailureAsync(server, ClientFrames.Frame(Op.Text, payload), 1007, $"a text frame with {what}", Read);
        await Conformance.ExpectFailureAsync(server,
            ClientFrames.Glue(ClientFrames.Text("valid start", fin: false), ClientFrames.Continuation([0xed, 0xbf, 0xbf], fin: true)), 1007,
            "a valid first fragment, then a continuation with a surrogate (ed bf bf)", Read);
    }

    [Fact, Graded(1, Hint = Read + "; §5.4")]
    public async Task A_4_byte_character_split_across_fragments_at_every_position_is_echoed()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        var text = "a😀b";
        var bytes = Encoding.UTF8.GetBytes(text); // 61 f0 9f 98 80 62
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            await client.SendAsync(ClientFrames.Glue(ClientFrames.Frame(Op.Text, bytes.AsSpan(0, cut), fin: false), ClientFrames.Continuation(bytes.AsSpan(cut), fin: true)),
                $"\"a😀b\" in 2 fragments cut at byte {cut}");
            await Conformance.ExpectTextEchoAsync(client, text, $"\"a😀b\" cut between fragments at byte {cut}",
                why: Read + ". A fragment may end inside a character: only the whole message must be UTF-8 (check it as it comes, across fragments)");
        }
        var pieces = bytes.Select((b, i) => i == 0 ? ClientFrames.Frame(Op.Text, [b], fin: false) : ClientFrames.Continuation([b], fin: i == bytes.Length - 1)).ToArray();
        await client.SendAsync(ClientFrames.Glue(pieces), "\"a😀b\" in 6 fragments of 1 byte");
        await Conformance.ExpectTextEchoAsync(client, text, "\"a😀b\" in fragments of 1 byte", why: Read);
        await client.CloseAsync();
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Invalid_UTF_8_fails_fast_before_the_message_or_frame_ends()
    {
        await using var server = Conformance.Start();
        await using (var client = await Conformance.ConnectAsync(server))
        {
            await client.SendAsync(ClientFrames.Text("ok \u00e9 \u00ff", fin: false), "a first fragment of valid text (FIN=0)");
            await client.SendAsync(ClientFrames.Continuation([0x61, 0xc3, 0x28, 0x62], fin: false), "a second fragment with c3 28 (FIN=0: the message goes on)");
            await client.ExpectFailureAsync(1007, "a fragment with c3 28, while the message is still open", "step 1 (with Lab 05's decoder)",
                Read + ". §8.1 asks to fail as soon as the text cannot be UTF-8: 28 cannot continue c3. Do not wait for the last fragment");
        }
        await using (var client = await Conformance.ConnectAsync(server))
        {
            var whole = ClientFrames.Frame(Op.Text, [.. "abc"u8, 0xff, .. new byte[996]]);
            int sent = 2 + 2 + 4 + 10; // header (16-bit length, key), then 10 payload bytes
            await client.SendAsync(whole[..sent], "the header of a 1000-byte text frame and its first 10 bytes, the 4th of them ff");
            await client.ExpectFailureAsync(1007, "10 of 1000 bytes of a text frame, with ff among them", "step 1 (with Lab 05's decoder)",
                Read + ". Fail within the frame too, as the bytes arrive: the rest of the frame is never sent");
        }
    }
}
