import { ScanLine } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useModalDialog } from '../../lib/use-modal-dialog';

/** The part of the Shape Detection API used here (not yet in TypeScript's DOM types). */
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type BarcodeDetectorClass = new (options: { formats: string[] }) => BarcodeDetectorLike;

function detectorClass(): BarcodeDetectorClass | null {
  const candidate = (window as unknown as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  return candidate && typeof navigator.mediaDevices?.getUserMedia === 'function' ? candidate : null;
}

/**
 * Scans a QR code with the camera where the browser can read one (BarcodeDetector); elsewhere it is
 * not shown and pasting is the way. The text read is handed over, never sent anywhere by this button.
 */
export function ScanQrButton(props: { label: string; accept: (text: string) => boolean; onScanned: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  if (!detectorClass()) return null;
  return (
    <>
      <button className="button" type="button" onClick={() => setOpen(true)}>
        <ScanLine size={16} aria-hidden /> {props.label}
      </button>
      {open && (
        <ScanDialog
          accept={props.accept}
          onScanned={(text) => {
            setOpen(false);
            props.onScanned(text);
          }}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

function ScanDialog(props: { accept: (text: string) => boolean; onScanned: (text: string) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { accept, onScanned, onClose } = props;
  const dialogRef = useModalDialog<HTMLDivElement>(onClose);

  useEffect(() => {
    const Detector = detectorClass();
    if (!Detector) return;
    const detector = new Detector({ formats: ['qr_code'] });
    let stream: MediaStream | null = null;
    let timer: number | undefined;
    let stopped = false;
    const scan = async () => {
      if (stopped || !video.current) return;
      const found = await detector.detect(video.current).catch(() => []);
      const text = found.map((code) => code.rawValue.trim()).find(accept);
      if (text) onScanned(text);
      else timer = window.setTimeout(() => void scan(), 300);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' } })
      .then(async (media) => {
        stream = media;
        if (stopped || !video.current) return;
        video.current.srcObject = media;
        await video.current.play();
        void scan();
      })
      .catch(() => setProblem('The camera could not be opened. Paste the text instead.'));
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [accept, onScanned]);

  return (
    <div className="dialog-backdrop">
      <div ref={dialogRef} className="dialog" role="dialog" aria-modal="true" aria-label="Scan a QR code">
        <video ref={video} className="scan-video" muted playsInline />
        {problem && <p className="form-error">{problem}</p>}
        <div className="button-row">
          <button className="button" type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
