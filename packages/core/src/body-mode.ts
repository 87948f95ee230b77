// When a route reads the request body, decided from its method and schemas when it is compiled.
// Whether a body actually follows is the transport's to say (RequestView.hasBody), never a header's.

export enum BodyMode {
  Never = 0,
  Always = 1,
  /** Only when the transport says a body follows (RequestView.hasBody). */
  WhenPresent = 2,
}
