namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The send queue and its bound (step 7, <see cref="SendQueue.TryEnqueueData"/>;
/// notebook 06 §2, bufferedAmount): whole messages in order, refused once
/// <see cref="SendQueue.MaxBufferedBytes"/> wait, room again when frames are written.
/// </summary>
public class SendQueueTests
{
    private const string Read = "Notebook 06 §2 (the send queue and bufferedAmount)";

    private static Frame[] Message(int payloadBytes, int fragments = 1, byte fill = 0)
    {
        var frames = new Frame[fragments];
        for (int i = 0; i < fragments; i++)
            frames[i] = new Frame(i == 0 ? Opcode.Binary : Opcode.Continuation, Enumerable.Repeat(fill, payloadBytes).ToArray(), fin: i == fragments - 1);
        return frames;
    }

    private static List<Frame> Drain(SendQueue queue)
    {
        var frames = new List<Frame>();
        while (queue.TryDequeue(out var frame))
            frames.Add(frame);
        return frames;
    }

    [Fact, Graded(1, Hint = Read)]
    public void TryEnqueueData_queues_every_frame_of_a_message_in_order_and_counts_its_bytes()
    {
        var queue = new SendQueue(1000);
        var message = Message(10, fragments: 3);
        bool queued = queue.TryEnqueueData(message);
        Check.True(queued, "step 7: TryEnqueueData of 3 frames of 10 bytes on an empty queue (bound 1000): expected true", Read);
        Check.Equal(queue.BufferedAmount, 30L, "step 7: BufferedAmount after queuing 3 frames of 10 bytes", Read + ". Enqueue(frame) for each frame: it counts the payload bytes.");
        var out1 = Drain(queue);
        Check.True(out1.Count == 3 && out1.Zip(message).All(p => ReferenceEquals(p.First, p.Second)),
            $"step 7: the frames taken out: expected the 3 frames of the message in order, got {out1.Count}", Read + ". Queue them in the order given.");
    }

    [Fact, Graded(1, Hint = Read)]
    public void TryEnqueueData_refuses_a_message_once_the_bound_is_reached()
    {
        var queue = new SendQueue(100);
        Check.True(queue.TryEnqueueData(Message(60)), "step 7: the first message of 60 bytes (bound 100): expected true", Read);
        Check.True(queue.TryEnqueueData(Message(60)), "step 7: a second message of 60 bytes while 60 < 100 wait: expected true",
            Read + ". The bound is checked before queuing (IsFull: BufferedAmount >= MaxBufferedBytes), so the queue may end a message past it.");
        Check.Equal(queue.BufferedAmount, 120L, "step 7: BufferedAmount after two messages of 60", Read);
        bool third = queue.TryEnqueueData(Message(1));
        Check.True(!third, "step 7: TryEnqueueData while 120 bytes wait (bound 100): expected false",
            Read + ". A full queue refuses data: the caller waits (SendAsync) or gives up on a slow reader (broadcast).");
        Check.Equal(queue.BufferedAmount, 120L, "step 7: BufferedAmount after a refused message (nothing may be queued)", Read);
        Check.Equal(Drain(queue).Count, 2, "step 7: frames in the queue after a refusal", Read + ". A refused message queues none of its frames.");
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_message_larger_than_the_bound_goes_when_the_queue_is_empty()
    {
        var queue = new SendQueue(100);
        Check.True(queue.TryEnqueueData(Message(1000, fragments: 2)), "step 7: a message of 2000 bytes on an empty queue (bound 100): expected true",
            Read + ". The bound is on what waits: a message larger than it must still go when nothing else does, or it could never be sent.");
        Check.Equal(queue.BufferedAmount, 2000L, "step 7: BufferedAmount after the large message", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Written_frames_make_room_again_and_control_frames_pass_a_full_queue()
    {
        var queue = new SendQueue(100);
        Check.True(queue.TryEnqueueData(Message(100)), "step 7: 100 bytes on an empty queue: expected true", Read);
        Check.True(!queue.TryEnqueueData(Message(5)), "step 7: TryEnqueueData when 100 of 100 wait: expected false", Read);
        var room = queue.WaitForRoomAsync(CancellationToken.None);
        Check.True(!room.IsCompleted, "step 7: WaitForRoomAsync on a full queue must wait", Read);

        queue.Enqueue(Frame.Pong("p"u8.ToArray())); // control frames pass the bound: a pong or a close must never wait behind data
        Check.Equal(queue.BufferedAmount, 101L, "step 7: BufferedAmount after a pong on a full queue", Read);

        foreach (var frame in Drain(queue))
            queue.Written(frame);
        Check.True(room.IsCompleted, "step 7: WaitForRoomAsync must complete once the frames are written", Read);
        Check.Equal(queue.BufferedAmount, 0L, "step 7: BufferedAmount after every frame was written", Read);
        Check.True(queue.TryEnqueueData(Message(5)), "step 7: TryEnqueueData once the queue drained: expected true", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Concurrent_senders_never_interleave_messages_nor_overshoot_the_bound_by_more_than_one_message()
    {
        const int bound = 1000, size = 10, fragments = 4, threads = 8;
        var queue = new SendQueue(bound);
        using var start = new Barrier(threads);
        // Threads of their own (LongRunning): 8 pool threads blocked on a barrier would starve every other test of the run.
        var senders = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            int queued = 0;
            for (int i = 0; i < 200; i++)
            {
                if (queue.TryEnqueueData(Message(size, fragments, fill: (byte)t)))
                    queued++;
            }
            return queued;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var counts = await Task.WhenAll(senders).Within(TimeSpan.FromSeconds(10), "8 threads calling TryEnqueueData 200 times each");
        int messages = counts.Sum();
        Check.True(queue.BufferedAmount <= bound - 1 + size * fragments,
            $"step 7: BufferedAmount after 8 threads raced: {queue.BufferedAmount}, more than the bound ({bound}) plus one message ({size * fragments})",
            Read + ". Check IsFull and queue under one lock (gate): else two senders both see room and both queue.");
        var frames = Drain(queue);
        Check.Equal(frames.Count, messages * fragments, "step 7: frames in the queue (messages accepted × 4 fragments)", Read);
        for (int i = 0; i < frames.Count; i += fragments)
        {
            var one = frames.Skip(i).Take(fragments).ToList();
            bool whole = one[0].Opcode == Opcode.Binary && one.Skip(1).All(f => f.Opcode == Opcode.Continuation)
                && one.All(f => f.Payload.Span[0] == one[0].Payload.Span[0]) && one[^1].Fin;
            Check.True(whole, $"step 7: frames {i}..{i + fragments - 1} are not one whole message: fragments of two senders are interleaved",
                Read + ". Queue all the frames of a message under the lock, so no other sender's frames come between (RFC 6455 §5.4: fragments of one message are not interleaved with another's).");
        }
    }
}
