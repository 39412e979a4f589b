import type { ButtonHTMLAttributes } from 'react';

export function Button({ variant = 'default', className = '', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'default' | 'primary' }) {
  return <button type="button" className={`button ${variant === 'primary' ? 'primary' : ''} ${className}`} {...props} />;
}
