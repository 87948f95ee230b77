-- POST a valid JSON user body on every request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Ada Lovelace","age":36,"email":"ada@example.com","tags":["math","engines"]}'
