namespace Lab05.WebSocketFrames;

/// <summary>
/// What a decoder accepts before it stops buffering and fails the connection
/// with 1009 (RFC 6455 §10.4: "Implementations that have implementation-
/// and/or platform-specific limitations regarding the frame size or total
/// message size after reassembly from multiple frames MUST protect
/// themselves against exceeding those limits").
/// </summary>
public sealed record FrameLimits
{
    /// <summary>1 MiB: plenty for chat and JSON, small enough that a thousand connections cannot exhaust memory.</summary>
    public const int DefaultMaxMessageLength = 1 << 20;

    /// <summary>
    /// Browsers send a message in one frame; 1024 fragments leave room for
    /// streaming senders and stop a message of endless empty fragments.
    /// </summary>
    public const int DefaultMaxFragments = 1024;

    /// <summary>The longest byte array .NET allocates (Array.MaxLength): a message is held in one.</summary>
    public const int MaxArrayLength = 0x7FFFFFC7;

    /// <summary>The defaults above.</summary>
    public static FrameLimits Default { get; } = new();

    /// <summary>The most bytes in one message, all its fragments together (and so in one frame).</summary>
    public int MaxMessageLength
    {
        get;
        init => field = value is >= 0 and <= MaxArrayLength
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxMessageLength), value, $"A message is held in one array: 0 to {MaxArrayLength} bytes.");
    } = DefaultMaxMessageLength;

    /// <summary>The most frames in one message (a message in one frame counts 1).</summary>
    public int MaxFragments
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxFragments), value, "A message has at least one frame.");
    } = DefaultMaxFragments;
}
