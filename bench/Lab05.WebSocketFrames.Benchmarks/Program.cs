using System.Numerics;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Running;
using Lab05.WebSocketFrames.Benchmarks;

// Lab 05's micro-benchmarks (notebook 05 §10). How to run them and what they
// show: README.md beside this file. The arguments go to BenchmarkDotNet:
// --filter '*Masking*' runs one class, --list flat lists the benchmarks.

// What Masking.Apply has to work with on this CPU: the width of Vector<byte>
// decides how many bytes one XOR of the vectorised loop covers.
Console.WriteLine($"Vector.IsHardwareAccelerated = {Vector.IsHardwareAccelerated}, Vector<byte>.Count = {Vector<byte>.Count}" +
                  $" (Vector256: {Vector256.IsHardwareAccelerated}, Vector512: {Vector512.IsHardwareAccelerated})");

Console.WriteLine($"Lab 05 from {BenchConfig.Track}/");

BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, BenchConfig.Create());
