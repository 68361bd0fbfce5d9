// A WorkerProcessPool child for tests: answers each request with its pid, or exits when asked.
process.on('message', (request: { readonly exit?: number; readonly replies: number }) => {
  if (request.exit !== undefined) process.exit(request.exit);
  for (let reply = 1; reply <= request.replies; reply += 1) {
    process.send?.({ pid: process.pid, reply, last: reply === request.replies });
  }
});
process.on('disconnect', () => process.exit(0));
