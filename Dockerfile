# tq as one binary. The build stage has network access and the official Deno image, so
# `deno compile` can fetch its denort base there; the result runs in a slim image.
FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock ./
COPY main.ts ./
COPY src ./src
COPY tasks ./tasks
RUN deno install --frozen && deno task compile

FROM debian:bookworm-slim
RUN useradd --system --create-home --home-dir /var/lib/tq tq
COPY --from=build /src/dist/tq /usr/local/bin/tq
USER tq
WORKDIR /var/lib/tq
ENV TQ_DB=/var/lib/tq/data/tq.db TQ_HOST=0.0.0.0
VOLUME /var/lib/tq/data
EXPOSE 8000
ENTRYPOINT ["tq"]
CMD ["start"]
