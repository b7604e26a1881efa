// Serving: a minimal ASP.NET Core web API over the digits model saved by samples/Digits.
//   dotnet run -c Release --project samples/Digits          (writes out/digits-mlp.zip)
//   dotnet run -c Release --project samples/Serving -- --urls http://127.0.0.1:5080   (finds out/digits-mlp.zip; --ModelPath to override)
//   curl -s -X POST http://127.0.0.1:5080/predict -H 'Content-Type: application/json' -d '{"features":[0,0,0.3, … 64 values]}'
Serving.ServingApp.Build(args).Run();
