// The worker side of the protocol (docs/shared protocol.md section 2) as the deployed Cloudflare
// Worker behaves, for the benchmarks: its framing is what makes it worth measuring. Each chunk
// the target socket's read returns goes out as its own binary frame; text CONNECT, CONNECTED,
// ERROR and CLOSE; binary frames that arrive before the target is connected are dropped; no
// half-close. Written for workerd (npm package "workerd"), which the benchmark tool starts.
import { connect } from 'cloudflare:sockets';

// "host:port" or "[v6]:port" -> { hostname, port }, or null.
function parseTarget(text) {
    const colon = text.lastIndexOf(':');
    if (colon <= 0)
        return null;
    let hostname = text.slice(0, colon);
    const port = Number(text.slice(colon + 1));
    if (!Number.isInteger(port) || port < 1 || port > 65535)
        return null;
    if (hostname.startsWith('[') && hostname.endsWith(']'))
        hostname = hostname.slice(1, -1);
    return hostname ? { hostname, port } : null;
}

function serve(ws) {
    let socket = null;
    let writer = null;
    let ended = false;
    const end = () => {
        if (ended)
            return;
        ended = true;
        if (socket)
            socket.close().catch(() => {});
        try {
            ws.close(1000, 'done');
        } catch {
            // already closed by the peer
        }
    };
    const sendText = (text) => {
        try {
            ws.send(text);
        } catch {
            end();
        }
    };

    async function open(request) {
        const bar = request.indexOf('|');
        const target = parseTarget(bar < 0 ? request : request.slice(0, bar));
        const first = bar < 0 ? '' : request.slice(bar + 1);
        if (!target) {
            sendText('ERROR:bad target');
            end();
            return;
        }
        try {
            socket = connect(target);
            await socket.opened;
            writer = socket.writable.getWriter();
            if (first.length > 0)
                await writer.write(new TextEncoder().encode(first));
        } catch (error) {
            sendText('ERROR:' + String(error && error.message ? error.message : error));
            end();
            return;
        }
        sendText('CONNECTED');
        const reader = socket.readable.getReader();
        try {
            for (;;) {
                const { value, done } = await reader.read();
                if (done || ended)
                    break;
                ws.send(value); // one frame per read: the behaviour under test
            }
        } catch {
            // the target reset or the WebSocket went away: end both either way
        }
        if (!ended)
            sendText('CLOSE');
        end();
    }

    ws.addEventListener('message', (event) => {
        if (ended)
            return;
        const data = event.data;
        if (typeof data === 'string') {
            if (data.startsWith('CONNECT:') && socket === null)
                open(data.slice('CONNECT:'.length));
            else if (data === 'CLOSE')
                end();
            else if (data.startsWith('DATA:') && writer)
                writer.write(new TextEncoder().encode(data.slice(5))).catch(end);
            return;
        }
        if (writer)
            writer.write(new Uint8Array(data)).catch(end);
    });
    ws.addEventListener('close', end);
    ws.addEventListener('error', end);
}

export default {
    async fetch(request, env) {
        if ((request.headers.get('Upgrade') || '').toLowerCase() !== 'websocket') {
            if (new URL(request.url).pathname === '/')
                return new Response('WebSocket Proxy Server');
            return new Response('Expected WebSocket', { status: 426 });
        }
        const token = env.TOKEN || '';
        if (token) {
            const offers = (request.headers.get('Sec-WebSocket-Protocol') || '')
                .split(',')
                .map((offer) => offer.trim());
            if (!offers.includes(token))
                return new Response('Unauthorized', { status: 401 });
        }
        const pair = new WebSocketPair();
        pair[1].accept();
        serve(pair[1]);
        const headers = token ? { 'Sec-WebSocket-Protocol': token } : {};
        return new Response(null, { status: 101, webSocket: pair[0], headers });
    },
};
