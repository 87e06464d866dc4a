namespace Lab02.TcpLifecycle;

/// <summary>
/// Sequence numbers relative to an initial one (RFC 9293 §3.4): each side picks
/// a random initial sequence number (ISN; §3.4.1), so the raw numbers of two
/// runs never agree, while the offsets from the ISN tell the story: J, J+1, J+6.
/// </summary>
public static class SequenceSpace
{
    /// <summary>
    /// How far <paramref name="number"/> is past <paramref name="initial"/>, counting
    /// modulo 2^32 as TCP does: <c>Offset(5, 4294967290)</c> is 11, since
    /// the numbers wrap from 4294967295 back to 0.
    /// </summary>
    public static uint Offset(uint number, uint initial)
    {
        throw new NotImplementedException("Lab 02 · step 5: the distance from initial to number modulo 2^32: unchecked(number - initial) on uint wraps around exactly as TCP's sequence space does (Offset(5, 4294967290) is 11). Notebook 02 §1 and §6, RFC 9293 §3.4.");
    }

    /// <summary><paramref name="number"/> as a name plus an offset: "J", "J+1", "K+5".</summary>
    public static string Relative(uint number, uint initial, string name)
    {
        uint offset = Offset(number, initial);
        return offset == 0 ? name : $"{name}+{offset}";
    }
}
