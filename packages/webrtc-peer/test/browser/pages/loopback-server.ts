// Stands in for the Kurento hello-world app server and its media server in the page: a
// WebSocket-like object speaking the tutorial's messages, backed by an RTCPeerConnection that
// sends every received track back (a WebRtcEndpoint connected to itself). It sends its ICE
// candidates before the SDP answer, as a real app server may, so that the client must queue them.

interface FakeSocket {
  send(data: string): void;
  onmessage: ((event: { data: string }) => void) | null;
}

declare global {
  interface Window {
    helloWorldServer: { connect(): FakeSocket; received: Array<Record<string, unknown>> };
  }
}

/** Every message the server got, parsed. */
const received: Array<Record<string, unknown>> = [];

function connect(): FakeSocket {
  let connection: RTCPeerConnection | undefined;
  const earlyCandidates: RTCIceCandidateInit[] = [];
  const socket: FakeSocket = {
    onmessage: null,
    send(data) {
      setTimeout(() => void handle(JSON.parse(data) as Record<string, unknown>));
    },
  };
  const reply = (message: object) =>
    setTimeout(() => socket.onmessage?.({ data: JSON.stringify(message) }));

  async function handle(message: Record<string, unknown>): Promise<void> {
    received.push(message);
    switch (message.id) {
      case 'start':
        await start(String(message.sdpOffer));
        break;
      case 'onIceCandidate':
        if (connection?.remoteDescription) {
          await connection.addIceCandidate(message.candidate as RTCIceCandidateInit);
        } else earlyCandidates.push(message.candidate as RTCIceCandidateInit);
        break;
      case 'stop':
        connection?.close();
        break;
    }
  }

  async function start(sdpOffer: string): Promise<void> {
    const pc = new RTCPeerConnection({ iceServers: [] });
    connection = pc;
    const gathered = new Promise<void>((resolve) => {
      pc.onicecandidate = ({ candidate }) => {
        if (candidate) reply({ id: 'iceCandidate', candidate });
        else resolve();
      };
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
    for (const transceiver of pc.getTransceivers()) {
      await transceiver.sender.replaceTrack(transceiver.receiver.track);
      transceiver.direction = 'sendrecv';
    }
    await pc.setLocalDescription(await pc.createAnswer());
    for (const candidate of earlyCandidates.splice(0)) await pc.addIceCandidate(candidate);
    await gathered;
    reply({ id: 'startResponse', sdpAnswer: pc.localDescription?.sdp });
  }

  return socket;
}

window.helloWorldServer = { connect, received };
