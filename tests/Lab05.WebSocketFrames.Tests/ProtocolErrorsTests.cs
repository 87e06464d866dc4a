namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The one place that maps a broken rule to a close code (RFC 6455 §7.4.1,
/// §8.1, §10.4; notebook 05 §5): 1007 for invalid UTF-8, 1009 for a message
/// over a limit, 1002 for everything else.
/// </summary>
public class ProtocolErrorsTests
{
    private const string Read = "Notebook 05 §5; RFC 6455 §7.4.1 (the codes), §8.1 (UTF-8), §10.4 (limits)";

    private static CloseCode Expected(ProtocolError error) => error switch
    {
        ProtocolError.InvalidUtf8 => CloseCode.InvalidPayloadData,
        ProtocolError.MessageTooBig or ProtocolError.TooManyFragments => CloseCode.MessageTooBig,
        _ => CloseCode.ProtocolError,
    };

    private static string Why(ProtocolError error) => Read + (Expected(error) switch
    {
        CloseCode.InvalidPayloadData => ". 1007: \"data within a message that was not consistent with the type of the message\" (§7.4.1), which §8.1 names for invalid UTF-8.",
        CloseCode.MessageTooBig => ". 1009: \"a message that is too big for it to process\" (§7.4.1); too many fragments is a limit too, counted in frames.",
        _ => ". 1002: the peer broke a rule of the protocol; only invalid UTF-8 (1007) and the limits (1009) have codes of their own.",
    });

    [Fact, Graded(1, Hint = Read)]
    public void CloseCodeFor_maps_every_error_to_its_code()
    {
        foreach (var error in Enum.GetValues<ProtocolError>())
        {
            var code = ProtocolErrors.CloseCodeFor(error);
            var expected = Expected(error);
            Check.True(code == expected,
                $"step 4: ProtocolErrors.CloseCodeFor(ProtocolError.{error}): expected {(int)expected} ({expected}), got {(int)code} ({code})", Why(error));
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_protocol_exception_carries_the_code_of_its_error()
    {
        foreach (var error in Enum.GetValues<ProtocolError>())
        {
            var code = new WebSocketProtocolException(error, "the test's message").CloseCode;
            var expected = Expected(error);
            Check.True(code == expected,
                $"step 4: new WebSocketProtocolException(ProtocolError.{error}, ...).CloseCode: expected {(int)expected} ({expected}), got {(int)code} ({code})",
                Why(error) + " CloseCode asks ProtocolErrors.CloseCodeFor.");
        }
    }
}
