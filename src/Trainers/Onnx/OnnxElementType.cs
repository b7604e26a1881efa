namespace MlNetExtensions.Trainers.Onnx;

/// <summary>The element types of ONNX tensors the exporter uses (values of onnx.proto's TensorProto.DataType).</summary>
internal enum OnnxElementType
{
    /// <summary>32-bit IEEE float.</summary>
    Float = 1,

    /// <summary>Signed 64-bit integer (indices, ArgMax results).</summary>
    Int64 = 7,

    /// <summary>Boolean.</summary>
    Bool = 9,

    /// <summary>Unsigned 32-bit integer (ML.NET's key values).</summary>
    UInt32 = 12,
}
