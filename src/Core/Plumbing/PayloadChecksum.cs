using System.Buffers.Binary;
using System.IO.Hashing;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// The frame around every MlNetExtensions component's payload inside its model entry (and around a training checkpoint's): an 8-byte marker, the payload's
/// length, the payload, and the CRC-32 of the payload, checked before a single field is read. CRC-32 detects every
/// error burst of up to 32 bits (so every flipped or overwritten byte) and most others (all but 1 in 2³²); it is not a
/// defence against deliberate tampering. Entries written before the frame existed (the first format versions) are read
/// as they are, without a check.
/// </summary>
internal static class PayloadChecksum
{
    /// <summary>"MLXFRAM1", little-endian: the first 8 bytes of a framed payload.</summary>
    internal const ulong Marker = 0x314D_4152_4658_4C4D;

    /// <summary>The largest payload read (a declared length above it is a corrupted file, not an allocation).</summary>
    internal const long MaxPayloadBytes = 1L << 31;

    private const int Chunk = 1 << 20;

    /// <summary>Writes <paramref name="writePayload"/>'s bytes framed: marker, length, payload, CRC-32.</summary>
    internal static void Write(BinaryWriter writer, Action<BinaryWriter> writePayload)
    {
        using var buffer = new MemoryStream();
        using (var payload = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) writePayload(payload);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        writer.Write(Marker);
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
        writer.Write(Crc32.HashToUInt32(bytes));
    }

    /// <summary>
    /// Reads the payload that follows the entry header into memory, checks its length and CRC-32 when it is framed, and
    /// returns a reader over it (a <see cref="MemoryStream"/>: readers can check sizes against what is left). An unframed
    /// entry (a first format version) is returned as it is, positioned at its payload.
    /// </summary>
    /// <param name="entry">The entry's reader, just after ML.NET's header.</param>
    /// <param name="component">The component's loader signature, for messages.</param>
    /// <param name="framed">Whether the payload was framed (then the component must read it to its end).</param>
    /// <exception cref="FormatException">The frame is truncated, declares an impossible length, or its CRC-32 does not match.</exception>
    internal static BinaryReader Open(BinaryReader entry, string component, out bool framed)
    {
        Span<byte> head = stackalloc byte[8];
        int got = ReadUpTo(entry.BaseStream, head);
        framed = got == 8 && BinaryPrimitives.ReadUInt64LittleEndian(head) == Marker;
        if (!framed)
        {
            // An entry of a first format version: its payload is read in place, from where it starts (ML.NET's entry
            // streams are seekable: its header reader relies on it). What follows the payload is ML.NET's, not ours.
            if (!entry.BaseStream.CanSeek)
                throw new FormatException($"The model entry of '{component}' has no payload frame and cannot be re-read from its start.");
            entry.BaseStream.Seek(-got, SeekOrigin.Current);
            return entry;
        }
        return ReadFrameBody(entry.BaseStream, ModelEntry(component));
    }

    /// <summary>
    /// Reads a whole frame (marker, length, payload, CRC-32) from <paramref name="source"/> into memory and returns a reader
    /// over the checked payload. For files of MlNetExtensions' own (training checkpoints), where the frame is required.
    /// </summary>
    /// <param name="source">The stream, positioned at the frame's marker.</param>
    /// <param name="subject">What the bytes are, to start messages with, such as "The checkpoint file 'a.ckpt'".</param>
    /// <exception cref="FormatException">The marker is missing, the frame is truncated or declares an impossible length, or the CRC-32 does not match.</exception>
    internal static BinaryReader ReadFramed(Stream source, string subject)
    {
        Span<byte> head = stackalloc byte[8];
        if (ReadUpTo(source, head) != 8 || BinaryPrimitives.ReadUInt64LittleEndian(head) != Marker)
            throw Corrupted(subject, "its payload frame is missing (truncated, or not written by MlNetExtensions)");
        return ReadFrameBody(source, subject);
    }

    /// <summary>The frame after its marker: length, payload, CRC-32; the payload checked and in memory.</summary>
    private static BinaryReader ReadFrameBody(Stream source, string subject)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (ReadUpTo(source, lengthBytes) != 8) throw Corrupted(subject, "it ends inside the payload's frame");
        long length = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (length < 0 || length > MaxPayloadBytes) throw Corrupted(subject, $"its payload declares {length} bytes");
        // Grows with the bytes actually present, so a forged length cannot force a large allocation.
        var payload = new MemoryStream((int)Math.Min(length, Chunk));
        long copied = CopyAtMost(source, payload, length);
        if (copied != length) throw Corrupted(subject, $"its payload declares {length} bytes but only {copied} are present (truncated)");
        Span<byte> crcBytes = stackalloc byte[4];
        if (ReadUpTo(source, crcBytes) != 4) throw Corrupted(subject, "it ends before the payload's checksum");
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(crcBytes);
        uint actual = Crc32.HashToUInt32(payload.GetBuffer().AsSpan(0, (int)payload.Length));
        if (actual != expected) throw Corrupted(subject, $"its payload's CRC-32 is {actual:X8}, the file says {expected:X8}");
        payload.Position = 0;
        return new BinaryReader(payload);
    }

    /// <summary>Checks that a framed payload was read to its end (a mismatch means the bytes do not describe this component).</summary>
    internal static void CheckFullyRead(BinaryReader payload, string component)
    {
        long left = payload.BaseStream.Length - payload.BaseStream.Position;
        if (left != 0) throw Corrupted(ModelEntry(component), $"{left} bytes of its payload were left unread");
    }

    private static string ModelEntry(string component) => $"The model entry of '{component}'";

    private static FormatException Corrupted(string subject, string why) => new($"{subject} is corrupted: {why}.");

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static long CopyAtMost(Stream source, MemoryStream destination, long limit)
    {
        var buffer = new byte[(int)Math.Min(Chunk, Math.Max(limit, 1))];
        long total = 0;
        while (total < limit)
        {
            int n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - total));
            if (n == 0) break;
            destination.Write(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
