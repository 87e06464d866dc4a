namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// Sec-WebSocket-Extensions offers (RFC 6455 §9.1, RFC 7692 §5; notebook 04 §5):
/// <c>name *( ";" param [ "=" value ] )</c>, comma-separated.
/// </summary>
public class ExtensionOfferTests
{
    private const string Read = "Notebook 04 §5; RFC 6455 §9.1 (the grammar), RFC 7692 §5 (permessage-deflate's parameters)";

    private static ExtensionOffer Offer(string name, params (string Name, string? Value)[] parameters) =>
        new(name, parameters.Select(p => new ExtensionParameter(p.Name, p.Value)).ToArray());

    private static string Show(IReadOnlyList<ExtensionOffer> offers) =>
        "[" + string.Join(" | ", offers.Select(o => o.Name + string.Concat(o.Parameters.Select(p => $"; {p.Name}{(p.Value is null ? "" : "=" + Visible.Quoted(p.Value))}")))) + "]";

    private static void Expect(string? value, params ExtensionOffer[] expected)
    {
        IReadOnlyList<ExtensionOffer> actual;
        try
        {
            actual = ExtensionOffers.Parse(value);
        }
        catch (HeaderSyntaxException e)
        {
            Check.Fail($"step 3: ExtensionOffers.Parse({(value is null ? "null" : Visible.Quoted(value))}) threw, expected {Show(expected)}.", $"It said: {e.Message}\n{Read}");
            return;
        }
        Check.True(actual.SequenceEqual(expected),
            $"step 3: ExtensionOffers.Parse({(value is null ? "null" : Visible.Quoted(value))}): expected {Show(expected)}, got {Show(actual)}.", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public void Parses_offers_with_their_parameters()
    {
        Expect("permessage-deflate; client_max_window_bits", Offer("permessage-deflate", ("client_max_window_bits", null)));
        Expect("permessage-deflate", Offer("permessage-deflate"));
        Expect("permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate, x-webkit-deflate-frame",
            Offer("permessage-deflate", ("client_max_window_bits", null), ("server_max_window_bits", "10")),
            Offer("permessage-deflate"),
            Offer("x-webkit-deflate-frame"));
        Expect("x; a=1; b=\"2\"", Offer("x", ("a", "1"), ("b", "2")));
        Expect("x ; a = 1 ;b= \"2\"\t, y", Offer("x", ("a", "1"), ("b", "2")), Offer("y"));
        Expect("x; b=\"a\\bc\"", Offer("x", ("b", "abc")));
        Expect(", x ,, y,", Offer("x"), Offer("y"));
        Expect("");
        Expect(null);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Rejects_offers_that_break_the_grammar()
    {
        var malformed = new (string Value, string What)[]
        {
            ("x; a=\"1 2\"", "a quoted value that is not a token once unquoted (§9.1)"),
            ("x; a=\"\"", "an empty quoted value (not a token)"),
            ("; a=1", "a parameter with no extension name before it"),
            ("x;", "a trailing ';' with no parameter after it"),
            ("x; =1", "'=' with no parameter name"),
            ("x; a=", "'=' with no value"),
            ("x; a=1 2", "two values"),
            ("x y", "two names with no ',' between them"),
            ("x; a=\"1", "a quoted string that never closes"),
            ("x; a b", "a parameter followed by a stray token"),
            ("x@y", "'@' in a name"),
            ("x; a=1@2", "an unquoted value that is not a token ('@')"),
        };
        foreach (var (value, what) in malformed)
        {
            try
            {
                var offers = ExtensionOffers.Parse(value);
                Check.Fail($"step 3: ExtensionOffers.Parse({Visible.Quoted(value)}) returned {Show(offers)}, expected a HeaderSyntaxException: {what}.", Read);
            }
            catch (HeaderSyntaxException e)
            {
                Check.Equal(e.Field, ExtensionOffers.Field, $"step 3: the Field of the HeaderSyntaxException for {Visible.Quoted(value)}", Read);
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Written_offers_parse_back_to_the_same_offers()
    {
        var text = "permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-webkit-deflate-frame";
        var offers = ExtensionOffers.Parse(text);
        Check.Equal(ExtensionOffers.Format(offers), text, $"step 3: ExtensionOffers.Format(ExtensionOffers.Parse({Visible.Quoted(text)}))", Read);
        var spaced = "permessage-deflate ;client_max_window_bits ;  server_max_window_bits = \"10\" ,x-webkit-deflate-frame";
        Check.Equal(ExtensionOffers.Format(ExtensionOffers.Parse(spaced)), text,
            $"step 3: ExtensionOffers.Format(ExtensionOffers.Parse({Visible.Quoted(spaced)})) (spaces dropped, the quotes around a token value removed)", Read);
    }
}
